// TAXII 2.1 polling: discovery → API root → collection → objects added after a stored cursor,
// following `more`/`next` pages; the objects go through the STIX importer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "detect/ti/ti_model.h"
#include "detect/ti/ti_store.h"

namespace ots::detect::ti {

struct TaxiiOptions {
  std::string discovery_url;  // "https://taxii.example/taxii2/" (http:// too)
  std::string api_root;       // URL of the API root; empty: the discovery's default, else its only root
  std::string collection;     // collection id or title; empty: the only readable collection
  std::string username, password;  // HTTP basic authentication when set
  std::string name;           // package name; default "taxii:<collection title>"
  int timeout_seconds = 30;
  size_t max_pages = 10000;   // a server that never stops saying `more` is cut off here, with an error
  int min_confidence = 0;
};

struct TaxiiPoll {
  TiPackage package;            // kind taxii: the new objects only
  std::string feed;             // "<api root>collections/<id>/"
  std::string added_after;      // the cursor the poll started from ("" = everything)
  std::string next_added_after; // X-TAXII-Date-Added-Last of the last page (or the old cursor)
  size_t objects = 0;
  size_t pages = 0;
};

// One poll. Throws TiError naming the URL and the HTTP status or protocol problem.
TaxiiPoll poll_taxii(const TaxiiOptions& options, std::string_view added_after);

struct TaxiiSync {
  TaxiiPoll poll;
  std::optional<StoredPackage> stored;  // nullopt when the poll brought nothing new
};
// Polls from the cursor stored for this feed (keyed by the discovery or API root URL and the
// collection selector), merges the new objects into its package and stores the next cursor.
TaxiiSync sync_taxii(TiStore& store, const TaxiiOptions& options, int64_t now_ns);

}  // namespace ots::detect::ti
