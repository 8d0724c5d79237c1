#include "pipeline/SinkFactory.h"

#include "delivery/HttpSink.h"
#include "kafka/KafkaSink.h"
#include "output/CsvWriter.h"

namespace netflow {

std::unique_ptr<FlowSink> makeSink(const Options &options, const FlowFeatures &features) {
    if (options.output_kind == OutputKind::Url) {
        // A capture file can wait for a slow endpoint; a live network cannot
        // (its flows spool instead).
        const bool offline = !options.file.empty();
        return std::make_unique<HttpSink>(options.http, options.columns, features, offline);
    }
    if (options.output_kind == OutputKind::Kafka)
        return std::make_unique<KafkaSink>(options.kafka, options.columns, features,
                                           !options.file.empty());
    return std::make_unique<CsvWriter>(options.output, options.columns, features);
}

}  // namespace netflow
