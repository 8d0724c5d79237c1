#include "pipeline/SinkFactory.h"

#include <vector>

#include "delivery/HttpSink.h"
#include "export/CollectorSink.h"
#include "kafka/KafkaSink.h"
#include "output/CsvWriter.h"
#include "output/SinkSet.h"

namespace netflow {
namespace {

L7NameTable l7Names(const FlowClassifier &classifier) {
    L7NameTable names;
    const uint16_t count = classifier.protocolCount();
    names.reserve(count);
    for (uint16_t id = 0; id < count; id++)
        names.emplace_back(id, classifier.protocolName(L7Protocol{id, 0}));
    return names;
}

}  // namespace

std::unique_ptr<FlowSink> makeSink(const Options &options, const FlowFeatures &features,
                                   const FlowClassifier &classifier) {
    std::vector<std::unique_ptr<FlowSink>> sinks;
    if (writesCsv(options))
        sinks.push_back(std::make_unique<CsvWriter>(options.output, options.columns, features));
    if (postsUrl(options)) {
        // A capture file can wait for a slow endpoint; a live network cannot
        // (its flows spool instead).
        const bool offline = !options.files.empty();
        sinks.push_back(
            std::make_unique<HttpSink>(options.http, options.columns, features, offline));
    }
    if (!options.exports.empty()) {
        const L7NameTable names = l7Names(classifier);
        for (const ExportTarget &target : options.exports)
            sinks.push_back(std::make_unique<CollectorSink>(target, options.export_settings,
                                                            options.columns, features, names));
    }
    for (const KafkaOptions &kafka : options.kafka_exports)
        sinks.push_back(
            std::make_unique<KafkaSink>(kafka, options.columns, features, !options.files.empty()));
    if (sinks.size() == 1)
        return std::move(sinks.front());
    return std::make_unique<SinkSet>(std::move(sinks));
}

}  // namespace netflow
