#include "delivery/HttpEndpoint.h"

#include "common/Text.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "delivery/CurlHandles.h"

namespace netflow {

std::optional<std::string> checkHttpUrl(const std::string &url) {
    try {
        curl();
    } catch (const std::runtime_error &e) {
        return e.what();
    }
    CurlUrl parsed(curl().url());
    if (!parsed)
        return "out of memory";
    // No scheme guessing: "localhost:8080/x" is not taken for http.
    if (curl().url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        return "'" + url + "' is not a valid URL";
    char *scheme = nullptr;
    if (curl().url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        return "'" + url + "' has no scheme (http:// or https://)";
    const std::string s = toLower(scheme);
    curl().free(scheme);
    if (s != "http" && s != "https")
        return "'" + url + "' is not an http or https URL";
    char *host = nullptr;
    bool has_host =
        curl().url_get(parsed.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host;
    curl().free(host);
    if (!has_host)
        return "'" + url + "' names no host";
    return std::nullopt;
}

std::optional<std::string> checkHttpHeader(const std::string &header) {
    size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
        return "--header '" + header + "' is not 'Name: value'";
    for (size_t i = 0; i < colon; i++) {
        unsigned char c = static_cast<unsigned char>(header[i]);
        if (c <= 0x20 || c >= 0x7F ||
            std::string_view("()<>@,;:\\\"/[]?={}").find(c) != std::string_view::npos)
            return "--header '" + header + "' has an invalid name";
    }
    if (header.find_first_of("\r\n") != std::string::npos)
        return "--header must not contain a line break";
    return std::nullopt;
}

}  // namespace netflow
