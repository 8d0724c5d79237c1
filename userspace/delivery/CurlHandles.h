// RAII for libcurl: the global init (once per process, before any thread
// uses curl), easy and multi handles, header lists.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace netflow {

// Calls curl_global_init once; throws std::runtime_error if it fails.
void ensureCurlInitialized();

struct CurlEasyDeleter {
    void operator()(CURL *h) const { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
    void operator()(CURLM *h) const { curl_multi_cleanup(h); }
};
struct CurlSlistDeleter {
    void operator()(curl_slist *l) const { curl_slist_free_all(l); }
};
struct CurlUrlDeleter {
    void operator()(CURLU *u) const { curl_url_cleanup(u); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

}  // namespace netflow
