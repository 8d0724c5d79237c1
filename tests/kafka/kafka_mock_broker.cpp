// A Kafka cluster for the tests and the benchmark: librdkafka's mock cluster
// (rdkafka_mock.h) in a process of its own, on 127.0.0.1.
//
//   kafka_mock_broker [--brokers N] [--partitions P] [--topic NAME]...
//
// Each --topic (default: flows) is created with P partitions (4), replicated
// on up to 3 of the N brokers (3).
// Prints the bootstrap address ("127.0.0.1:PORT,...") on the first line of
// stdout, then reads commands from stdin, one a line, and answers each with
// "ok" (or "error: ..."):
//   down [ID]   broker ID (all when omitted) drops its connections and
//               refuses new ones
//   up [ID]     accepts connections again
//   quit        ends the process (as does the end of stdin)
// Runs at most --lifetime seconds (600), so a test that dies cannot leave
// it behind for ever.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void usage(const char *why) {
    std::fprintf(stderr,
                 "kafka_mock_broker: %s\nusage: kafka_mock_broker [--brokers N] [--partitions P] "
                 "[--topic NAME]... [--lifetime SECONDS]\n",
                 why);
    std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
    int brokers = 3, partitions = 4, lifetime_s = 600;
    std::vector<std::string> topics;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if (i + 1 >= argc)
            usage(("missing value for " + arg).c_str());
        const char *value = argv[++i];
        if (arg == "--brokers")
            brokers = std::atoi(value);
        else if (arg == "--topic")
            topics.emplace_back(value);
        else if (arg == "--partitions")
            partitions = std::atoi(value);
        else if (arg == "--lifetime")
            lifetime_s = std::atoi(value);
        else
            usage(("unknown option " + arg).c_str());
    }
    if (topics.empty())
        topics.emplace_back("flows");
    if (brokers < 1 || partitions < 1 || lifetime_s < 1)
        usage("bad value");

    // The mock cluster lives in a client instance's threads; this producer
    // is never used otherwise.
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        std::fprintf(stderr, "kafka_mock_broker: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
    if (!cluster) {
        std::fprintf(stderr, "kafka_mock_broker: cannot create the mock cluster\n");
        return 1;
    }
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (const std::string &topic : topics) {
        e = rd_kafka_mock_topic_create(cluster, topic.c_str(), partitions, std::min(brokers, 3));
        if (e) {
            std::fprintf(stderr, "kafka_mock_broker: topic %s: %s\n", topic.c_str(),
                         rd_kafka_err2str(e));
            return 1;
        }
    }
    std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    std::fflush(stdout);

    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime_s);
    std::string line;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd pfd{STDIN_FILENO, POLLIN, 0};
        int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready <= 0)
            continue;
        if (!std::getline(std::cin, line))
            break;
        std::istringstream words(line);
        std::string command;
        int32_t id = -1;
        words >> command;
        words >> id;
        if (command == "quit")
            break;
        if (command == "down")
            e = rd_kafka_mock_broker_set_down(cluster, id);
        else if (command == "up")
            e = rd_kafka_mock_broker_set_up(cluster, id);
        else if (command.empty())
            continue;
        else {
            std::printf("error: unknown command %s\n", command.c_str());
            std::fflush(stdout);
            continue;
        }
        if (e)
            std::printf("error: %s\n", rd_kafka_err2str(e));
        else
            std::printf("ok\n");
        std::fflush(stdout);
    }
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
    return 0;
}
