// Indicator matching benchmark: builds IndicatorSets of 1,000 and 1,000,000 mixed indicators
// and measures build time, memory and lookups per second for hits and misses per type, to show
// that the cost of a lookup does not grow with the number of indicators.
//
//   ots_ti_bench [--indicators N] [--lookups M]     (defaults 1,000,000 and 2,000,000)
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "detect/ti/indicator_set.h"

namespace {

using namespace ots;
using namespace ots::detect;
using namespace ots::detect::ti;
// CPU time of this thread: on a shared machine wall time mostly measures the other processes.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Resident set size in bytes (Linux /proc).
size_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  return 0;
}

std::string hex(std::mt19937_64& rng, size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(digits, '0');
  for (char& c : out) c = kHex[rng() & 15];
  return out;
}

std::string ipv4(uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string(v >> 16 & 255) + "." + std::to_string(v >> 8 & 255) + "." +
         std::to_string(v & 255);
}

std::string word(std::mt19937_64& rng) {
  std::string out;
  const size_t length = 5 + rng() % 8;
  for (size_t i = 0; i < length; ++i) out += static_cast<char>('a' + rng() % 26);
  return out;
}

// The sample values a query set is drawn from, kept per type.
struct Samples {
  std::vector<IpAddr> v4, v6;
  std::vector<std::string> domains, sha256;
};

// Mixed indicators as a feed would carry them: 45 % IPv4 (5 % of them CIDRs of a few common
// lengths), 5 % IPv6, 25 % domains, 5 % URLs, 10 % SHA-256, 5 % MD5, 5 % JA3; 100 definitions.
std::vector<AlertDefinition> make_definitions(size_t count, uint64_t seed, Samples& samples) {
  std::mt19937_64 rng(seed);
  std::vector<AlertDefinition> definitions(100);
  for (size_t d = 0; d < definitions.size(); ++d) {
    definitions[d].id = "BENCH-" + std::to_string(d);
    definitions[d].title = definitions[d].id;
  }
  static constexpr int kCidrLengths[] = {16, 20, 22, 24, 28};
  for (size_t i = 0; i < count; ++i) {
    Indicator indicator;
    const unsigned bucket = static_cast<unsigned>(rng() % 100);
    // Public-looking IPv4 space (1.0.0.0 – 223.255.255.255), away from the query misses' 10/8.
    uint32_t first_octet = static_cast<uint32_t>(1 + rng() % 222);
    if (first_octet == 10) first_octet = 11;
    const uint32_t v4 = first_octet << 24 | static_cast<uint32_t>(rng() & 0xffffff);
    if (bucket < 40) {
      indicator.type = IndicatorType::Ip;
      indicator.value = ipv4(v4);
      samples.v4.push_back(IpAddr::v4(v4));
    } else if (bucket < 45) {
      indicator.type = IndicatorType::Cidr;
      indicator.value = ipv4(v4) + "/" + std::to_string(kCidrLengths[rng() % 5]);
    } else if (bucket < 50) {
      indicator.type = IndicatorType::Ip;
      indicator.value = "2001:db8:" + hex(rng, 4) + "::" + hex(rng, 4);
      samples.v6.push_back(*IpAddr::parse(indicator.value));
    } else if (bucket < 75) {
      indicator.type = IndicatorType::Domain;
      indicator.value = word(rng) + "." + word(rng) + (rng() & 1 ? ".com" : ".net");
      samples.domains.push_back(indicator.value);
    } else if (bucket < 80) {
      indicator.type = IndicatorType::Url;
      indicator.value = "http://" + word(rng) + ".example/" + word(rng) + "/" + word(rng) + ".php";
    } else if (bucket < 90) {
      indicator.type = IndicatorType::Sha256;
      indicator.value = hex(rng, 64);
      samples.sha256.push_back(indicator.value);
    } else if (bucket < 95) {
      indicator.type = IndicatorType::Md5;
      indicator.value = hex(rng, 32);
    } else {
      indicator.type = IndicatorType::Ja3;
      indicator.value = hex(rng, 32);
    }
    definitions[i % definitions.size()].indicators.push_back(std::move(indicator));
  }
  return definitions;
}

volatile uint64_t g_sink;  // keeps the optimiser from dropping the lookups

template <typename Query, typename Fn>
double lookups_per_second(const std::vector<Query>& queries, size_t lookups, Fn&& match, size_t& hits) {
  hits = 0;
  const double start = thread_cpu_seconds();
  for (size_t i = 0; i < lookups; ++i) hits += match(queries[i % queries.size()]).alert();
  const double seconds = thread_cpu_seconds() - start;
  g_sink = hits;
  return static_cast<double>(lookups) / seconds;
}

struct Run {
  size_t indicators = 0;
  double build_seconds = 0;
  size_t set_bytes = 0, rss_growth = 0;
  std::vector<std::pair<std::string, double>> rates;
};

Run measure(size_t count, size_t lookups) {
  Samples samples;
  std::vector<AlertDefinition> definitions = make_definitions(count, 42, samples);
  const size_t rss_before = rss_bytes();
  const double start = thread_cpu_seconds();
  auto set = IndicatorSet::build(std::move(definitions));
  Run run;
  run.build_seconds = thread_cpu_seconds() - start;
  run.indicators = set->indicator_count();
  run.set_bytes = set->memory_bytes();
  run.rss_growth = rss_bytes() - std::min(rss_bytes(), rss_before);

  // Query sets: hits drawn from the indicators, misses from values no indicator covers. Queries
  // are shuffled so consecutive lookups touch unrelated slots, as packets of many flows would.
  std::mt19937_64 rng(7);
  constexpr size_t kQueries = 1 << 16;
  std::vector<IpAddr> v4_hit, v4_miss, v6_hit;
  std::vector<std::string> domain_hit, domain_miss, sha_hit, sha_miss;
  for (size_t i = 0; i < kQueries; ++i) {
    v4_hit.push_back(samples.v4[rng() % samples.v4.size()]);
    v4_miss.push_back(IpAddr::v4(static_cast<uint32_t>(0x0a000000u | (rng() & 0xffffff))));  // 10/8: plant traffic
    v6_hit.push_back(samples.v6[rng() % samples.v6.size()]);
    domain_hit.push_back("www." + samples.domains[rng() % samples.domains.size()]);
    domain_miss.push_back("plc-" + std::to_string(rng() % 1000) + ".site" + std::to_string(rng() % 50) + ".corp.local");
    sha_hit.push_back(samples.sha256[rng() % samples.sha256.size()]);
    sha_miss.push_back(hex(rng, 64));
  }
  size_t hits = 0;
  auto check = [&](const char* what, double rate, size_t expected_hits) {
    if (hits != expected_hits) std::fprintf(stderr, "ti_bench: %s: %zu hits, expected %zu\n", what, hits, expected_hits);
    run.rates.emplace_back(what, rate);
  };
  auto ip = [&](const IpAddr& a) { return set->match_ip(a, 0); };
  auto domain = [&](const std::string& d) { return set->match_domain(d, 0); };
  auto sha = [&](const std::string& h) { return set->match_value(IndicatorType::Sha256, h, 0); };
  check("ipv4 hit", lookups_per_second(v4_hit, lookups, ip, hits), lookups);
  check("ipv4 miss", lookups_per_second(v4_miss, lookups, ip, hits), 0);
  check("ipv6 hit", lookups_per_second(v6_hit, lookups, ip, hits), lookups);
  check("domain hit (subdomain)", lookups_per_second(domain_hit, lookups, domain, hits), lookups);
  check("domain miss (4 labels)", lookups_per_second(domain_miss, lookups, domain, hits), 0);
  check("sha256 hit", lookups_per_second(sha_hit, lookups, sha, hits), lookups);
  check("sha256 miss", lookups_per_second(sha_miss, lookups, sha, hits), 0);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  size_t large = 1'000'000, lookups = 2'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--indicators") == 0) large = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--lookups") == 0) lookups = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: %s [--indicators N] [--lookups M]\n", argv[0]);
      return 2;
    }
  }
  const Run small = measure(1'000, lookups);
  const Run big = measure(large, lookups);
  std::printf("IndicatorSet benchmark (1 thread, %zu lookups per row, shuffled queries, thread CPU time)\n\n", lookups);
  std::printf("%-26s %14s %14s\n", "", (std::to_string(small.indicators) + " ind.").c_str(),
              (std::to_string(big.indicators) + " ind.").c_str());
  std::printf("%-26s %14.3f %14.3f\n", "build time, CPU s", small.build_seconds, big.build_seconds);
  std::printf("%-26s %14.1f %14.1f\n", "set memory, MB", small.set_bytes / 1e6, big.set_bytes / 1e6);
  std::printf("%-26s %14.1f %14.1f\n", "RSS growth on build, MB", small.rss_growth / 1e6, big.rss_growth / 1e6);
  std::printf("\n%-26s %14s %14s %8s %10s\n", "lookups/s", "small", "large", "ratio", "ns (large)");
  for (size_t i = 0; i < small.rates.size(); ++i) {
    const double a = small.rates[i].second, b = big.rates[i].second;
    std::printf("%-26s %14.0f %14.0f %8.2f %10.1f\n", small.rates[i].first.c_str(), a, b, b / a, 1e9 / b);
  }
  std::printf("\nratio = large / small lookups per second (1.00 = flat). Address lookups probe one hash slot per\n"
              "prefix length present (here /16 /20 /22 /24 /28 and /32), domains one per label.\n");
  return 0;
}
