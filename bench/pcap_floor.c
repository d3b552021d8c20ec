/* The libpcap floor: the fastest a pcap file can be read through libpcap,
 * touching every packet (first and last captured byte) so no work is skipped.
 * Prints "<packets> <wire bytes> <touch sum>"; exits 1 on a read error. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* handle = pcap_open_offline(argv[1], errbuf);
  if (!handle) {
    fprintf(stderr, "pcap_floor: %s\n", errbuf);
    return 1;
  }
  struct pcap_pkthdr* header;
  const u_char* data;
  unsigned long long packets = 0, bytes = 0, touch = 0;
  int status;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    ++packets;
    bytes += header->len;
    if (header->caplen > 0) touch += data[0] ^ data[header->caplen - 1];
  }
  if (status == PCAP_ERROR) fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(handle));
  pcap_close(handle);
  printf("%llu %llu %llu\n", packets, bytes, touch);
  return status == PCAP_ERROR ? 1 : 0;
}
