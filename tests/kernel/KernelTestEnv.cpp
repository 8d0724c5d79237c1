#include "KernelTestEnv.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <filesystem>

#include "capture/PcapFile.h"
#include "kernel/KernelError.h"
#include "kernel/LibbpfLog.h"

namespace nftest {

netflow::CountingConfig testConfig(uint32_t flow_map_entries, Filtering filtering) {
    netflow::CountingConfig config;
    config.timeouts = kTimeouts;
    config.flow_map_entries = flow_map_entries;
    config.count_all_ip = filtering == Filtering::AllIp;
    if (filtering == Filtering::User)
        config.filter = kUserFilter;
    config.use_test_clock = true;
    // A replay marks every flow nDPI finishes early; none may age out of
    // the LRU map before its flow's next packet (the largest capture has
    // a few thousand flows).
    config.dpi_done_entries = 1 << 16;
    return config;
}

std::unique_ptr<netflow::CountingPrograms> loadTestPrograms(const netflow::CountingConfig &config) {
    // libbpf's own reason (and the verifier log) when a load fails.
    netflow::routeLibbpfLog(true);
    return std::make_unique<netflow::CountingPrograms>(config);
}

std::unique_ptr<netflow::CountingPrograms> loadTestPrograms(uint32_t flow_map_entries,
                                                            Filtering filtering,
                                                            uint32_t events_bytes) {
    netflow::CountingConfig config = testConfig(flow_map_entries, filtering);
    config.events_bytes = events_bytes;
    return loadTestPrograms(config);
}

netflow::CountingPrograms *sharedPrograms(Filtering filtering, std::string *error) {
    struct Loaded {
        std::unique_ptr<netflow::CountingPrograms> programs;
        std::string error;
    };
    static Loaded loaded[3];
    static bool tried[3] = {false, false, false};
    const int i = static_cast<int>(filtering);
    if (!tried[i]) {
        tried[i] = true;
        try {
            // Every flow of the largest capture fits: flows are never
            // deleted during a replay, only re-initialised in place.
            loaded[i].programs = loadTestPrograms(1 << 17, filtering);
        } catch (const std::exception &e) {  // KernelError, FilterError
            loaded[i].error = e.what();
        }
    }
    if (!loaded[i].programs && error)
        *error = loaded[i].error;
    return loaded[i].programs.get();
}

netflow::FlowClassifier &sharedClassifier() {
    static netflow::FlowClassifier classifier(/*keep_server_name=*/false);
    return classifier;
}

namespace {

std::vector<std::string> sortedFiles(const std::filesystem::path &dir, const std::string &ext) {
    std::vector<std::string> out;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
        if (entry.is_regular_file() && (ext.empty() || entry.path().extension() == ext))
            out.push_back(entry.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::vector<std::string> goldenCaptures() {
    return sortedFiles(std::filesystem::path(NETFLOW_TEST_DATA) / "golden", ".pcap");
}

std::vector<std::string> corpusEthernetCaptures(size_t *others) {
    const std::filesystem::path dir = std::filesystem::path(NETFLOW_CORPUS_DIR) / "pcap";
    if (!std::filesystem::is_directory(dir)) {
        ADD_FAILURE() << "nDPI corpus not found at " << dir
                      << " (set NETFLOW_CORPUS_DIR); a missing corpus fails, as in tests/corpus";
        return {};
    }
    std::vector<std::string> out;
    *others = 0;
    for (const std::string &path : sortedFiles(dir, "")) {
        try {
            netflow::PcapFile file(path);
            if (file.linkType() == DLT_EN10MB) {
                out.push_back(path);
                continue;
            }
        } catch (const netflow::CaptureError &) {
            // not a capture libpcap reads: not ours to replay
        }
        ++*others;
    }
    return out;
}

std::vector<std::string> goldenAndCorpusCaptures() {
    size_t others = 0;
    std::vector<std::string> captures = goldenCaptures();
    std::vector<std::string> corpus = corpusEthernetCaptures(&others);
    captures.insert(captures.end(), corpus.begin(), corpus.end());
    return captures;
}

}  // namespace nftest
