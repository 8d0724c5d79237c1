#include "delivery/CurlHandles.h"

#include <mutex>
#include <stdexcept>

namespace netflow {

void ensureCurlInitialized() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (result != CURLE_OK)
        throw std::runtime_error(std::string("cannot initialize libcurl: ") +
                                 curl_easy_strerror(result));
}

}  // namespace netflow
