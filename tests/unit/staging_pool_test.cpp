// The staging pool hands each folder's result back by its number, whatever order the workers finish in,
// and a folder that fails in the middle of a batch fails alone.
#include "compiler/staging_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include <catch2/catch.hpp>

namespace {

using df::compiler::StagedFolder;
using df::compiler::StageJob;
using df::compiler::StagingPool;

StageJob job(int n) {
    return {"out", "folder-" + std::to_string(n), {}, false};
}

// A stager whose first job finishes last: it waits until every other job has been staged.
struct FirstFinishesLast {
    int jobs;
    std::mutex mutex;
    std::condition_variable changed;
    int finished = 0;

    df::Result<StagedFolder> operator()(const StageJob& j) {
        std::unique_lock lock(mutex);
        if (j.name == "folder-0") changed.wait(lock, [&] { return finished == jobs - 1; });
        ++finished;
        changed.notify_all();
        if (j.name == "folder-5") return df::Error{df::ExitCode::io_error, "cannot write folder-5"};
        StagedFolder staged;
        staged.name = j.name;
        return staged;
    }
};

}  // namespace

TEST_CASE("staging pool: results by number, whatever order the workers finish in") {
    constexpr int kJobs = 12;
    FirstFinishesLast stager{kJobs, {}, {}, 0};
    StagingPool pool(2, [&](const StageJob& j) { return stager(j); });
    for (int i = 0; i < kJobs; ++i) CHECK(pool.submit(job(i)) == static_cast<std::size_t>(i));
    // Job 11 can finish only after job 0 has been taken by a worker, and job 0 only after job 11.
    const auto last = pool.take(kJobs - 1);
    REQUIRE(last);
    CHECK(last->name == "folder-11");
    for (int i = 0; i < kJobs - 1; ++i) {
        const auto result = pool.take(static_cast<std::size_t>(i));
        if (i == 5) {
            REQUIRE_FALSE(result);
            CHECK(result.error().message == "cannot write folder-5");
        } else {
            REQUIRE(result);
            CHECK(result->name == "folder-" + std::to_string(i));
        }
    }
}

TEST_CASE("staging pool: without workers, submit stages the folder itself") {
    std::atomic<int> staged{0};
    StagingPool pool(0, [&](const StageJob& j) -> df::Result<StagedFolder> {
        ++staged;
        StagedFolder folder;
        folder.name = j.name;
        return folder;
    });
    const auto id = pool.submit(job(7));
    CHECK(staged == 1);
    CHECK(pool.done(id));
    CHECK(pool.take(id)->name == "folder-7");
}

TEST_CASE("staging pool: one worker per core, none for a single folder") {
    CHECK(StagingPool::workers_for(1) == 0);
    CHECK(StagingPool::workers_for(2) >= 1);
    CHECK(StagingPool::workers_for(1000) <= StagingPool::kMaxWorkers);
}
