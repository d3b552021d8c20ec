// otsensor-pcapgen: writes the committed sample captures and the benchmark capture.
//   otsensor-pcapgen samples OUTDIR
//   otsensor-pcapgen bench --packets N --devices D --flows F OUT.pcap
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>

#include "pcaps/gen/bench_capture.h"
#include "pcaps/gen/samples.h"

int main(int argc, char** argv) {
  CLI::App app{"Deterministic synthetic captures for otsensor"};
  app.require_subcommand(1);

  std::string samples_dir;
  CLI::App* samples = app.add_subcommand("samples", "write the sample captures and their expectation files");
  samples->add_option("outdir", samples_dir, "output directory (created if missing)")->required();

  ots::pcapgen::BenchOptions bench_options;
  std::string bench_path;
  CLI::App* bench = app.add_subcommand("bench", "write the benchmark capture");
  bench->add_option("--packets", bench_options.packets, "packets to write")->check(CLI::Range(1ull, 1ull << 40));
  bench->add_option("--devices", bench_options.devices, "devices in the network")->check(CLI::Range(2u, 4'000'000u));
  bench->add_option("--flows", bench_options.flows, "distinct connections")->check(CLI::Range(1u, 100'000'000u));
  bench->add_option("out", bench_path, "output pcap")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*samples) {
      std::filesystem::create_directories(samples_dir);
      for (const std::string& name : ots::pcapgen::write_samples(samples_dir))
        std::printf("%s/%s\n", samples_dir.c_str(), name.c_str());
    } else {
      ots::pcapgen::BenchSummary s = ots::pcapgen::write_bench_capture(bench_options, bench_path);
      std::printf("%s: %llu packets, %llu wire bytes (mean frame %.1f B), %llu flows, %u devices\n",
                  bench_path.c_str(), static_cast<unsigned long long>(s.packets),
                  static_cast<unsigned long long>(s.wire_bytes),
                  s.packets ? static_cast<double>(s.wire_bytes) / static_cast<double>(s.packets) : 0.0,
                  static_cast<unsigned long long>(s.flows), s.devices);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otsensor-pcapgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
