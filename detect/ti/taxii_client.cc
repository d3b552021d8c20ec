#include "detect/ti/taxii_client.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "detect/ti/stix.h"

namespace ots::detect::ti {

namespace {

using nlohmann::json;

constexpr const char* kTaxiiMedia = "application/taxii+json;version=2.1";

struct Url {
  std::string origin;  // scheme://host[:port]
  std::string path;    // starts with '/'
};

Url split_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw TiError("not an absolute URL: " + url);
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") throw TiError("TAXII needs an http:// or https:// URL: " + url);
  size_t path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  return {url.substr(0, path_start), url.substr(path_start)};
}

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

// Percent-encodes a query value (RFC 3986 unreserved characters stay).
std::string encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class TaxiiHttp {
 public:
  explicit TaxiiHttp(const TaxiiOptions& options) : options_(options) {}

  // GETs an absolute URL (or a path on the discovery server) and parses the TAXII JSON answer.
  json get(const std::string& url, httplib::Headers* response_headers = nullptr) {
    Url parts = url.starts_with("/") ? Url{split_url(options_.discovery_url).origin, url} : split_url(url);
    if (parts.origin.starts_with("https://")) {
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
      throw TiError(url + ": this otsensor was built without TLS support in cpp-httplib; use http:// or rebuild");
#endif
    }
    httplib::Client client(parts.origin);
    client.set_connection_timeout(options_.timeout_seconds, 0);
    client.set_read_timeout(options_.timeout_seconds, 0);
    client.set_follow_location(true);
    if (!options_.username.empty()) client.set_basic_auth(options_.username.c_str(), options_.password.c_str());
    httplib::Result result = client.Get(parts.path.c_str(), httplib::Headers{{"Accept", kTaxiiMedia}});
    if (!result) throw TiError(url + ": " + httplib::to_string(result.error()));
    if (result->status != 200) throw TiError(url + ": HTTP " + std::to_string(result->status));
    if (response_headers) *response_headers = result->headers;
    try {
      json body = json::parse(result->body);
      if (!body.is_object()) throw TiError(url + ": the answer is not a JSON object");
      return body;
    } catch (const json::exception& e) {
      throw TiError(url + ": the answer is not JSON: " + e.what());
    }
  }

 private:
  const TaxiiOptions& options_;
};

std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string absolute(const std::string& discovery_url, const std::string& url) {
  if (url.find("://") != std::string::npos) return url;
  if (url.starts_with("/")) return split_url(discovery_url).origin + url;
  return with_slash(discovery_url) + url;  // relative to the discovery URL
}

}  // namespace

TaxiiPoll poll_taxii(const TaxiiOptions& options, std::string_view added_after) {
  TaxiiHttp http(options);
  std::string api_root = options.api_root;
  if (api_root.empty()) {
    json discovery = http.get(options.discovery_url);
    api_root = text_of(discovery, "default");
    if (api_root.empty()) {
      auto roots = discovery.find("api_roots");
      if (roots == discovery.end() || !roots->is_array() || roots->size() != 1 || !(*roots)[0].is_string())
        throw TiError(options.discovery_url + ": no default API root and not exactly one in api_roots; name one");
      api_root = (*roots)[0].get<std::string>();
    }
  }
  api_root = with_slash(absolute(options.discovery_url, api_root));

  json collections = http.get(api_root + "collections/");
  auto list = collections.find("collections");
  if (list == collections.end() || !list->is_array()) throw TiError(api_root + "collections/: no \"collections\" array");
  const json* chosen = nullptr;
  size_t readable = 0;
  for (const json& c : *list) {
    if (!c.is_object()) continue;
    const bool can_read = c.value("can_read", false);
    if (options.collection.empty()) {
      if (can_read) {
        ++readable;
        chosen = &c;
      }
    } else if (text_of(c, "id") == options.collection || text_of(c, "title") == options.collection) {
      if (!can_read) throw TiError("TAXII collection \"" + options.collection + "\" is not readable");
      chosen = &c;
      break;
    }
  }
  if (options.collection.empty() && readable > 1)
    throw TiError(api_root + " has " + std::to_string(readable) + " readable collections; name one");
  if (!chosen)
    throw TiError(options.collection.empty() ? api_root + " has no readable collection"
                                             : "no TAXII collection \"" + options.collection + "\" at " + api_root);

  TaxiiPoll poll;
  const std::string collection_id = text_of(*chosen, "id");
  const std::string title = text_of(*chosen, "title");
  poll.feed = api_root + "collections/" + collection_id + "/";
  poll.added_after = added_after;
  poll.next_added_after = added_after;
  poll.package.kind = PackageKind::Taxii;
  poll.package.id = collection_id;
  poll.package.name = options.name.empty() ? "taxii:" + (title.empty() ? collection_id : title) : options.name;
  poll.package.source = poll.feed;

  std::string next;
  for (;;) {
    if (poll.pages >= options.max_pages)
      throw TiError(poll.feed + ": more than " + std::to_string(options.max_pages) + " pages; stopping");
    std::string url = poll.feed + "objects/";
    std::string query;
    if (!added_after.empty()) query += "added_after=" + encode(added_after);
    if (!next.empty()) query += (query.empty() ? "" : "&") + std::string("next=") + encode(next);
    if (!query.empty()) url += "?" + query;
    httplib::Headers headers;
    json envelope = http.get(url, &headers);
    ++poll.pages;
    if (auto it = headers.find("X-TAXII-Date-Added-Last"); it != headers.end() && !it->second.empty())
      poll.next_added_after = it->second;
    if (auto objects = envelope.find("objects"); objects != envelope.end()) {
      if (!objects->is_array()) throw TiError(url + ": \"objects\" is not an array");
      poll.objects += objects->size();
      add_stix_objects(*objects, options.min_confidence, poll.package);
    }
    const bool more = envelope.value("more", false);
    if (!more) break;
    std::string following = text_of(envelope, "next");
    if (following.empty()) {
      // TAXII 2.1 pages by `next`; a server without it pages by added_after alone.
      if (poll.next_added_after == added_after || poll.next_added_after.empty())
        throw TiError(url + ": \"more\" is true but there is neither \"next\" nor a newer X-TAXII-Date-Added-Last");
      added_after = poll.next_added_after;
      next.clear();
    } else {
      if (following == next) throw TiError(url + ": the server repeated the same \"next\"; stopping");
      next = following;
    }
  }
  poll.package.version = poll.next_added_after.empty() ? "1" : poll.next_added_after;
  if (parse_iso8601_ns(poll.next_added_after)) poll.package.build_date = poll.next_added_after;
  return poll;
}

TaxiiSync sync_taxii(TiStore& store, const TaxiiOptions& options, int64_t now_ns) {
  // The cursor is needed before discovery runs, so its key is what the user names: the
  // discovery (or API root) URL and the collection selector.
  const std::string key = with_slash(options.api_root.empty() ? options.discovery_url : options.api_root) + "#" +
                          options.collection;
  TaxiiSync sync;
  sync.poll = poll_taxii(options, store.taxii_cursor(key).value_or(""));
  sync.stored = store.merge_import(sync.poll.package, now_ns);
  if (!sync.poll.next_added_after.empty()) store.set_taxii_cursor(key, sync.poll.next_added_after, now_ns);
  return sync;
}

}  // namespace ots::detect::ti
