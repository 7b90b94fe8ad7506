// Snapshots of the engine's values (see qpan/snapshot.h): the file's header and checksum,
// the check against the store's log, and the keeper that writes them while a server runs.
//
// The file: a 64-byte header — "QPANSNAP", the format, a byte-order mark, the log position
// with the times of its entry and of entry 1 (which database, which history), the body's
// length and its XXH3 hash — then the body, the engine's lanes (AggregationEngine::
// write_values). A start maps the file and the engine uses its arrays in place.
#include "qpan/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace qpan {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'Q', 'P', 'A', 'N', 'S', 'N', 'A', 'P'};
// Raised whenever the body's or the header's layout changes: an older file is then not read.
constexpr uint32_t kFormat = 2;
constexpr uint32_t kByteOrder = 0x01020304;

struct Header {
  char magic[8];
  uint32_t format;
  uint32_t byte_order;
  int64_t position;
  int64_t position_at_ms;  // the time of the log's entry `position`
  int64_t first_at_ms;     // the time of the log's entry 1
  uint64_t body_bytes;
  uint64_t body_hash;      // XXH3 64
  uint64_t header_hash;    // XXH3 64 of the bytes before it
};
static_assert(sizeof(Header) == 64);

std::string errno_text() { return std::strerror(errno); }

// The times of the log's entries `seq` and 1, which a snapshot at `seq` is bound to.
Status entry_times(Store& store, int64_t seq, int64_t& at_seq, int64_t& at_first) {
  auto time_of = [&](int64_t s, int64_t& at) -> Status {
    bool found = false;
    Result<int64_t> read = store.read_changes(s - 1, 1, [&](const Change& c) {
      if (c.seq == s) {
        at = c.at_ms;
        found = true;
      }
    });
    if (!read) return read.status();
    if (!found) return Status::not_found("the change log has no entry " + std::to_string(s));
    return Status::ok();
  };
  QPAN_RETURN_IF_ERROR(time_of(seq, at_seq));
  return time_of(1, at_first);
}

class FileSink : public ByteSink {
 public:
  FileSink(int fd, XXH3_state_t* hash) : fd_(fd), hash_(hash) { buffer_.reserve(kBuffer); }
  Status write(const void* bytes, size_t size) override {
    // Hashed and copied a piece at a time, while the piece is in the cache.
    const char* p = static_cast<const char*>(bytes);
    while (size > 0) {
      const size_t piece = std::min(size, kBuffer - buffer_.size());
      XXH3_64bits_update(hash_, p, piece);
      buffer_.insert(buffer_.end(), p, p + piece);
      written_ += piece;
      p += piece;
      size -= piece;
      if (buffer_.size() == kBuffer) QPAN_RETURN_IF_ERROR(flush());
    }
    return Status::ok();
  }
  Status flush() {
    Status s = write_all(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
  }
  uint64_t written() const { return written_; }

 private:
  static constexpr size_t kBuffer = 256 << 10;
  Status write_all(const char* p, size_t size) {
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::internal("snapshot: cannot write: " + errno_text());
      p += n;
      size -= static_cast<size_t>(n);
    }
    return Status::ok();
  }
  int fd_;
  XXH3_state_t* hash_;
  std::vector<char> buffer_;
  uint64_t written_ = 0;
};

// The snapshot file mapped copy-on-write: the engine's arrays are used where they lie in the
// page cache (no copy, no fresh pages to clear); a cell the engine changes later gets a page
// of its own, and the file is never written. The mapping lives while an array uses it.
class Mapping {
 public:
  static Result<std::shared_ptr<Mapping>> map(int fd, size_t size) {
    // Mapped read-only with its pages populated (a writable private mapping would be
    // populated by copying every page), then made writable: writes fault and copy one page.
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) return Status::internal("snapshot: cannot map: " + errno_text());
    auto mapping = std::shared_ptr<Mapping>(new Mapping(p, size));
    if (::mprotect(p, size, PROT_READ | PROT_WRITE) != 0) return Status::internal("snapshot: cannot map: " + errno_text());
    return mapping;
  }
  ~Mapping() { ::munmap(data_, size_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  char* data() const { return static_cast<char*>(data_); }

 private:
  Mapping(void* data, size_t size) : data_(data), size_(size) {}
  void* data_;
  size_t size_;
};

// The body of a mapped snapshot, hashed as it is read or lent.
class MappedSource : public ByteSource {
 public:
  MappedSource(std::shared_ptr<Mapping> mapping, uint64_t offset, uint64_t size, XXH3_state_t* hash)
      : mapping_(std::move(mapping)), next_(mapping_->data() + offset), left_(size), hash_(hash) {}
  Status read(void* into, size_t size) override {
    char* p = take(size);
    if (p == nullptr) return Status::invalid_input("snapshot body: shorter than its parts say");
    std::memcpy(into, p, size);
    return Status::ok();
  }
  void* lend(size_t size, std::shared_ptr<void>& lender) override {
    char* p = take(size);
    if (p != nullptr) lender = mapping_;
    return p;
  }
  uint64_t remaining() const override { return left_; }

 private:
  char* take(size_t size) {
    if (size > left_) return nullptr;
    char* p = next_;
    XXH3_64bits_update(hash_, p, size);
    next_ += size;
    left_ -= size;
    return p;
  }
  std::shared_ptr<Mapping> mapping_;
  char* next_;
  uint64_t left_;
  XXH3_state_t* hash_;
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct HashState {
  XXH3_state_t* state = XXH3_createState();
  HashState() { XXH3_64bits_reset(state); }
  ~HashState() { XXH3_freeState(state); }
};

}  // namespace

std::string snapshot_path(const std::string& dir) { return (fs::path(dir) / "engine.snapshot").string(); }

Status write_snapshot(const AggregationEngine& engine, Store& store, int64_t position, const std::string& dir) {
  if (position <= 0) return Status::invalid_input("snapshot: the change log is empty; nothing to bind it to");
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.format = kFormat;
  header.byte_order = kByteOrder;
  header.position = position;
  QPAN_RETURN_IF_ERROR(entry_times(store, position, header.position_at_ms, header.first_at_ms));

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::internal("snapshot: cannot create " + dir + ": " + ec.message());
  const std::string path = snapshot_path(dir);
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  Fd file{::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)};
  if (file.fd < 0) return Status::internal("snapshot: cannot create " + temporary + ": " + errno_text());
  auto fail = [&](Status s) {
    ::unlink(temporary.c_str());
    return s;
  };
  // The header's place first; its content, with the body's length and hash, at the end.
  if (::pwrite(file.fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) ||
      ::lseek(file.fd, sizeof header, SEEK_SET) < 0) {
    return fail(Status::internal("snapshot: cannot write " + temporary + ": " + errno_text()));
  }
  HashState hash;
  FileSink body(file.fd, hash.state);
  if (Status s = engine.write_values(body); !s) return fail(s);
  if (Status s = body.flush(); !s) return fail(s);
  header.body_bytes = body.written();
  header.body_hash = XXH3_64bits_digest(hash.state);
  header.header_hash = XXH3_64bits(&header, offsetof(Header, header_hash));
  if (::pwrite(file.fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) || ::fsync(file.fd) != 0) {
    return fail(Status::internal("snapshot: cannot write " + temporary + ": " + errno_text()));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return fail(Status::internal("snapshot: cannot rename " + temporary + ": " + errno_text()));
  }
  return Status::ok();
}

Result<SnapshotStart> load_snapshot(Store& store, const std::string& dir) {
  const std::string path = snapshot_path(dir);
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    if (errno == ENOENT) return Status::not_found("no snapshot at " + path);
    return Status::invalid_input("cannot open " + path + ": " + errno_text());
  }
  const auto unusable = [&](const std::string& why) { return Status::invalid_input(path + ": " + why); };
  Header header{};
  if (::read(file.fd, &header, sizeof header) != static_cast<ssize_t>(sizeof header)) return unusable("shorter than its header");
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0) return unusable("not a qpan snapshot");
  if (header.header_hash != XXH3_64bits(&header, offsetof(Header, header_hash))) return unusable("header damaged (checksum)");
  if (header.format != kFormat || header.byte_order != kByteOrder) {
    return unusable("format " + std::to_string(header.format) + " of another qpan version or machine (this one reads " +
                    std::to_string(kFormat) + ")");
  }
  const off_t size = ::lseek(file.fd, 0, SEEK_END);
  if (size < 0 || static_cast<uint64_t>(size) != sizeof header + header.body_bytes) {
    return unusable("length differs from its header's (a damaged or unfinished file)");
  }
  Result<LogEnd> end = store.log_end();
  if (!end) return end.status();
  if (header.position > end->seq) {
    return unusable("taken at log entry " + std::to_string(header.position) + ", after the log's end " +
                    std::to_string(end->seq) + " (another database, or one restored from an older copy)");
  }
  int64_t at_position = 0, at_first = 0;
  if (Status s = entry_times(store, header.position, at_position, at_first); !s) return unusable(s.message());
  if (at_position != header.position_at_ms || at_first != header.first_at_ms) {
    return unusable("the log's entries at " + std::to_string(header.position) +
                    " and 1 are not the ones it was taken at (another database or history)");
  }
  Result<std::shared_ptr<Mapping>> mapping = Mapping::map(file.fd, static_cast<size_t>(size));
  if (!mapping) return mapping.status();
  HashState hash;
  MappedSource body(std::move(*mapping), sizeof header, header.body_bytes, hash.state);
  Result<std::unique_ptr<AggregationEngine>> engine = AggregationEngine::build_from_values(store, body);
  // The hash is checked after reading, in the same pass: a damaged body built an engine that
  // is thrown away here, never used.
  if (XXH3_64bits_digest(hash.state) != header.body_hash) return unusable("body damaged (checksum)");
  if (!engine) return unusable(engine.status().message());
  return SnapshotStart{std::move(*engine), header.position};
}

SnapshotKeeper::SnapshotKeeper(const AggregationEngine& engine, std::unique_ptr<Store> store, std::string dir,
                               std::function<int64_t()> position, std::chrono::seconds interval, bool write_at_start)
    : engine_(engine), store_(std::move(store)), dir_(std::move(dir)), position_(std::move(position)),
      interval_(interval) {
  thread_ = std::thread([this, write_at_start] { run(write_at_start); });
}

SnapshotKeeper::~SnapshotKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SnapshotKeeper::run(bool write_at_start) {
  std::string last_error;
  bool due = write_at_start;
  for (;;) {
    if (due) {
      // Read before the values are: every entry up to it is in the engine already.
      const int64_t position = position_();
      if (position > 0 && position != last_written_.load()) {
        const auto started = std::chrono::steady_clock::now();
        Status s = write_snapshot(engine_, *store_, position, dir_);
        if (s) {
          last_written_ = position;
          last_error.clear();
          std::fprintf(stderr, "qpan: snapshot at log entry %lld written in %.1f s\n", static_cast<long long>(position),
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        } else if (s.message() != last_error) {
          last_error = s.message();
          std::fprintf(stderr, "qpan: %s\n", last_error.c_str());
        }
      }
    }
    std::unique_lock lock(mutex_);
    if (stop_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    due = true;
  }
}

}  // namespace qpan
