// Segment: files, attachment, directory and allocator. segment.hpp says what a
// SIGKILL at any instruction does; the comments here say how.
#include "billiard/segment.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <thread>

#include "billiard/locks/robust_lock.hpp"

namespace billiard {
namespace detail {
namespace {

constexpr std::uint64_t kMagic = 0x6472'6169'6c6c'6962;  // "billiard", little-endian
constexpr std::uint64_t kRemoveWhenUnused = 1;
constexpr std::size_t kMaxName = 200;
constexpr std::size_t kUndoMax = 16;  // a call logs at most 8 writes (find_or_create: allocate 4, record 2, link 2)

constexpr const char* kDir = "/dev/shm/";
constexpr std::string_view kPrefix = "billiard.";       // billiard.<name>: a segment
constexpr std::string_view kTempPrefix = "billiard-tmp.";  // billiard-tmp.<pid>.<n>: one being created

// Each attached open file description holds a write lock on one byte of this
// range (beyond any file's end); a write lock on all of it means nobody is attached.
constexpr off_t kSlotBase = off_t{1} << 40;
constexpr off_t kSlots = off_t{1} << 16;

struct UndoEntry {
  std::uint64_t offset;  // of the word written, from the segment's start
  std::uint64_t old;
};

// The start of every segment, immutable once linked.
struct Identity {
  std::uint64_t magic;
  std::uint64_t version;  // kLayoutVersion of the library that created it
  std::uint64_t bytes;    // the file's size
  std::uint64_t creator;  // pid
  std::uint64_t pidns_dev, pidns_ino;  // the creator's PID namespace (0: unknown)
  std::uint64_t flags;
};

// At offset 0 of every segment. After id, touched only by the holder of lock.
struct Header {
  Identity id;
  std::uint64_t objects;    // records in the directory
  std::uint64_t dir_head;   // first record (offset), 0 when none
  std::uint64_t free_head;  // first free block (offset), address order; 0 when none
  std::uint64_t free_bytes;
  std::uint64_t undo_count;
  UndoEntry undo[kUndoMax];
  alignas(kSlotBytes) RobustLock lock;
};
static_assert(offsetof(Identity, version) == 8, "tests/segment_test.cpp writes the version at offset 8");
static_assert(offsetof(Identity, pidns_ino) == 40, "tests/segment_test.cpp writes the namespace at offset 40");
constexpr std::uint64_t kHeapStart = round_to_slot(sizeof(Header));

// A free block and a record start alike: bytes, then next.
struct FreeBlock {
  std::uint64_t bytes;  // the whole block, a multiple of 64
  std::uint64_t next;   // next free block, 0 at the end
};
struct Record {
  std::uint64_t bytes;  // the whole block: record, texts, object
  std::uint64_t next;   // next record of the directory, 0 at the end
  std::uint64_t hash;   // of the name
  std::uint64_t object; // offset of the object
  std::uint64_t size, align, length;
  std::uint32_t name_len, kind_len, type_len, lock_len;
  // then name, kind, type and lock, back to back

  const char* text() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  std::string_view name() const noexcept { return {text(), name_len}; }
  Layout layout() const {
    const char* t = text() + name_len;
    return Layout{std::string(t, kind_len), std::string(t + kind_len, type_len), size, align,
                  std::string(t + kind_len + type_len, lock_len), length, kLayoutVersion};
  }
};

std::uint64_t hash_of(std::string_view name) noexcept {  // FNV-1a
  std::uint64_t h = 0xcbf2'9ce4'8422'2325;
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100'0000'01b3;
  return h;
}

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), "billiard::Segment::" + what);
}

void check_name(std::string_view name, const char* what, const char* where) {
  const char* problem = name.empty()                         ? "it is empty"
                        : name.size() > kMaxName             ? "it is longer than 200 bytes"
                        : name.find('/') != name.npos        ? "it contains a '/'"
                        : name.find('\0') != name.npos       ? "it contains a NUL byte"
                        : name == "." || name == ".."        ? "it is a directory's name"
                                                             : nullptr;
  if (problem != nullptr)
    throw std::invalid_argument("billiard::Segment::" + std::string(where) + ": bad " + what + " name '" +
                                std::string(name.substr(0, 64)) + (name.size() > 64 ? "...'" : "'") + ": " +
                                problem);
}

std::string path_of(std::string_view name) { return kDir + std::string(kPrefix) + std::string(name); }

// F_OFD_SETLK: false when another open file description holds a conflicting lock.
bool try_lock_range(int fd, short type, off_t start, off_t length) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = length;
  if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return true;
  if (errno == EAGAIN || errno == EACCES) return false;
  throw_errno(errno, "attach: fcntl(F_OFD_SETLK)");
}

// Open file descriptions holding a slot now (other than fd's own).
std::size_t count_attached(int fd) {
  std::size_t n = 0;
  for (off_t at = kSlotBase; at < kSlotBase + kSlots;) {
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = at;
    fl.l_len = kSlotBase + kSlots - at;
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0) throw_errno(errno, "list: fcntl(F_OFD_GETLK)");
    if (fl.l_type == F_UNLCK) break;
    ++n;
    at = fl.l_start + (fl.l_len == 0 ? kSlots : fl.l_len);
  }
  return n;
}

// Takes a free slot for fd's open file description. All slots fail only while
// a reclaimer holds them all, for a few system calls: retry for a while.
void take_slot(int fd, const std::string& name) {
  for (int round = 0; round < 1000; ++round) {
    for (off_t i = 0; i < kSlots; ++i)
      if (try_lock_range(fd, F_WRLCK, kSlotBase + i, 1)) return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  throw_errno(EUSERS, "attach: '" + name + "' has " + std::to_string(kSlots) + " processes attached");
}

bool linked(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) throw_errno(errno, "attach: fstat");
  return st.st_nlink > 0;
}

// Unlinks path when it still names fd's file and no open file description
// holds a slot (we hold them all while we look: nobody can attach meanwhile,
// and one who attaches after sees the file unlinked).
bool unlink_if_unused(int fd, const std::string& path) {
  if (!try_lock_range(fd, F_WRLCK, kSlotBase, kSlots)) return false;
  struct stat mine {}, named {};
  bool removed = false;
  if (fstat(fd, &mine) == 0 && stat(path.c_str(), &named) == 0 && mine.st_ino == named.st_ino &&
      mine.st_dev == named.st_dev)
    removed = unlink(path.c_str()) == 0;
  try_lock_range(fd, F_UNLCK, kSlotBase, kSlots);
  return removed;
}

struct PidNamespace {
  std::uint64_t dev = 0, ino = 0;
};
PidNamespace pid_namespace() noexcept {
  struct stat st {};
  if (stat("/proc/self/ns/pid", &st) != 0) return {};
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

// The immutable part of a header, read from the file (list() maps nothing).
std::optional<Identity> read_identity(int fd) {
  Identity id;
  if (pread(fd, &id, sizeof id, 0) != static_cast<ssize_t>(sizeof id) || id.magic != kMagic) return std::nullopt;
  return id;
}

class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string header_problem(const Identity& h, std::uint64_t file_bytes) {
  if (h.bytes != file_bytes || h.bytes < kHeapStart)
    return "its header says " + std::to_string(h.bytes) + " bytes, the file has " + std::to_string(file_bytes);
  return "";
}

// A compiler barrier between two writes to the mapping: a process killed
// between them has made the first and not the second (stores of one thread
// reach memory in program order as far as a later reader after its death,
// through the kernel's robust-list handling, can tell).
void in_order() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }

}  // namespace

class SegmentMap {
 public:
  SegmentMap(std::string name, int fd, std::byte* base, std::size_t bytes) noexcept
      : name_(std::move(name)), fd_(fd), base_(base), bytes_(bytes) {}
  SegmentMap(const SegmentMap&) = delete;
  SegmentMap& operator=(const SegmentMap&) = delete;

  // Detach: our slot goes with our descriptor (unless a fork child shares it),
  // then a remove_when_unused segment nobody holds is unlinked.
  ~SegmentMap() {
    const bool reclaim = (header().id.flags & kRemoveWhenUnused) != 0;
    munmap(base_, bytes_);
    close(fd_);
    if (!reclaim) return;
    const std::string path = path_of(name_);
    Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() >= 0) unlink_if_unused(fd.get(), path);
  }

  const std::string& name() const noexcept { return name_; }
  std::size_t bytes() const noexcept { return bytes_; }
  Header& header() const noexcept { return *reinterpret_cast<Header*>(base_); }
  std::byte* base() const noexcept { return base_; }

  template <class T>
  T& at(std::uint64_t offset) const {
    if (offset < kHeapStart || offset > bytes_ - sizeof(T) || offset % alignof(T) != 0) corrupt(offset);
    return *reinterpret_cast<T*>(base_ + offset);
  }
  // Words the undo log may name: in the header or the heap, never the log itself.
  std::uint64_t& word(std::uint64_t offset) const {
    const bool in_header = offset < offsetof(Header, undo_count) && offset >= offsetof(Header, objects);
    if (!in_header && (offset < kHeapStart || offset > bytes_ - 8)) corrupt(offset);
    if (offset % 8 != 0) corrupt(offset);
    return *reinterpret_cast<std::uint64_t*>(base_ + offset);
  }
  std::uint64_t offset_of(const void* p) const noexcept {
    return static_cast<std::uint64_t>(static_cast<const std::byte*>(p) - base_);
  }

  [[noreturn]] void corrupt(std::uint64_t offset) const {
    throw std::runtime_error("billiard::Segment: '" + name_ + "' is corrupt: offset " + std::to_string(offset) +
                             " is outside its " + std::to_string(bytes_) + " bytes");
  }

 private:
  std::string name_;
  int fd_;
  std::byte* base_;
  std::size_t bytes_;
};

namespace {

// Holds the directory lock for one call. Every write through set() is undone
// unless commit() is reached; a locker that finds the last holder dead undoes
// that holder's writes first.
class Transaction {
 public:
  explicit Transaction(const SegmentMap& map) : map_(map), h_(map.header()) {
    try {
      h_.lock.lock();
    } catch (const owner_died&) {
      roll_back();  // we hold the lock: the dead holder's call is undone
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (h_.undo_count != 0) roll_back();  // an exception left the call unfinished
    h_.lock.unlock();
  }

  void set(std::uint64_t& word, std::uint64_t value) {
    const std::uint64_t n = h_.undo_count;
    if (n == kUndoMax) throw std::logic_error("billiard::Segment: undo log full");
    h_.undo[n] = {map_.offset_of(&word), word};
    in_order();
    h_.undo_count = n + 1;
    in_order();
    word = value;
  }
  void commit() noexcept {
    in_order();
    h_.undo_count = 0;
  }

 private:
  // Newest first, so each word ends with its value before the call. A holder
  // killed here leaves undo_count as it was: the next one does it all again.
  void roll_back() {
    for (std::uint64_t i = h_.undo_count; i-- > 0;) map_.word(h_.undo[i].offset) = h_.undo[i].old;
    in_order();
    h_.undo_count = 0;
  }

  const SegmentMap& map_;
  Header& h_;
};

// First fit from the address-ordered free list; bytes is a multiple of 64.
// Returns the block's offset; bytes grows to the whole block when the rest
// would be too small to keep.
std::uint64_t allocate(const SegmentMap& map, Transaction& tx, std::uint64_t& bytes, std::string_view object) {
  Header& h = map.header();
  std::uint64_t* link = &h.free_head;
  for (std::uint64_t at = h.free_head; at != 0;) {
    FreeBlock& block = map.at<FreeBlock>(at);
    if (block.bytes >= bytes) {
      if (block.bytes > bytes) {  // the tail stays free
        FreeBlock& tail = map.at<FreeBlock>(at + bytes);
        tx.set(tail.bytes, block.bytes - bytes);
        tx.set(tail.next, block.next);
        tx.set(*link, at + bytes);
      } else {
        tx.set(*link, block.next);
      }
      tx.set(h.free_bytes, h.free_bytes - bytes);
      return at;
    }
    link = &block.next;
    at = block.next;
  }
  throw segment_full("billiard::Segment::find_or_create: segment '" + map.name() + "' has no room for '" +
                     std::string(object) + "': " + std::to_string(bytes) + " bytes asked, " +
                     std::to_string(h.free_bytes) + " free (the largest free block is smaller)");
}

// Puts a block back, merged with its free neighbours.
void free_block(const SegmentMap& map, Transaction& tx, std::uint64_t offset, std::uint64_t bytes) {
  Header& h = map.header();
  std::uint64_t* link = &h.free_head;
  std::uint64_t prev = 0;
  std::uint64_t next = h.free_head;
  while (next != 0 && next < offset) {
    prev = next;
    link = &map.at<FreeBlock>(next).next;
    next = *link;
  }
  std::uint64_t merged = bytes;
  std::uint64_t after = next;
  if (next != 0 && offset + bytes == next) {
    merged += map.at<FreeBlock>(next).bytes;
    after = map.at<FreeBlock>(next).next;
  }
  if (prev != 0 && prev + map.at<FreeBlock>(prev).bytes == offset) {
    FreeBlock& before = map.at<FreeBlock>(prev);
    tx.set(before.bytes, before.bytes + merged);
    tx.set(before.next, after);
  } else {
    FreeBlock& block = map.at<FreeBlock>(offset);
    tx.set(block.bytes, merged);
    tx.set(block.next, after);
    tx.set(*link, offset);
  }
  tx.set(h.free_bytes, h.free_bytes + bytes);
}

// The record called name and the link that points at it.
struct Found {
  Record* record = nullptr;
  std::uint64_t* link = nullptr;
};
Found find_record(const SegmentMap& map, std::string_view name) {
  const std::uint64_t hash = hash_of(name);
  std::uint64_t* link = &map.header().dir_head;
  for (std::uint64_t at = *link; at != 0; at = *link) {
    Record& r = map.at<Record>(at);
    if (r.hash == hash && r.name() == name) return {&r, link};
    link = &r.next;
  }
  return {};
}

Placed placed_of(const SegmentMap& map, const Record& r, const Layout& want) {
  const Layout stored = r.layout();
  if (!want.accepts(stored))
    throw layout_mismatch("billiard::Segment: segment '" + map.name() + "', object '" + std::string(r.name()) +
                          "': stored as " + stored.describe() + ", asked for as " + want.describe());
  return {&map.at<std::byte>(r.object), r.length};
}

std::vector<std::string> shm_names(std::string_view prefix) {
  std::vector<std::string> names;
  DIR* dir = opendir(kDir);
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view file = entry->d_name;
    if (file.starts_with(prefix)) names.emplace_back(file.substr(prefix.size()));
  }
  closedir(dir);
  return names;
}

std::uint64_t next_temp_number() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);  // relaxed: only needs to be distinct
}

std::size_t page_size() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

std::shared_ptr<SegmentMap> map_file(const std::string& name, Fd& fd, std::size_t bytes, const char* where) {
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (base == MAP_FAILED)
    throw_errno(errno, std::string(where) + ": cannot map " + std::to_string(bytes) + " bytes of '" + name + "'");
  return std::make_shared<SegmentMap>(name, fd.release(), static_cast<std::byte*>(base), bytes);
}

std::shared_ptr<SegmentMap> create_map(std::string_view name, std::size_t bytes, std::uint64_t flags) {
  check_name(name, "segment", "create");
  if (bytes == 0) throw std::invalid_argument("billiard::Segment::create: segment '" + std::string(name) + "': 0 bytes");
  const std::size_t page = page_size();
  constexpr std::size_t kMaxBytes = std::size_t{1} << 46;  // beyond what x86-64 user space can map
  if (bytes > kMaxBytes)
    throw_errno(ENOMEM, "create: segment '" + std::string(name) + "': " + std::to_string(bytes) +
                            " bytes is more than this machine can map");
  const std::size_t total = (kHeapStart + bytes + page - 1) / page * page;
  struct statvfs shm {};
  if (statvfs(kDir, &shm) == 0 && total > std::uint64_t{shm.f_blocks} * shm.f_frsize)
    throw_errno(ENOSPC, "create: segment '" + std::string(name) + "': " + std::to_string(total) +
                            " bytes is more than " + kDir + " holds (" +
                            std::to_string(std::uint64_t{shm.f_blocks} * shm.f_frsize) + " bytes)");
  Segment::collect_garbage();

  const std::string temp = kDir + std::string(kTempPrefix) + std::to_string(getpid()) + "." +
                           std::to_string(next_temp_number());
  Fd fd(::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666));
  if (fd.get() < 0) throw_errno(errno, "create: " + temp);
  struct Unlink {
    const std::string& path;
    ~Unlink() { unlink(path.c_str()); }
  } unlink_temp{temp};
  take_slot(fd.get(), std::string(name));
  if (ftruncate(fd.get(), static_cast<off_t>(total)) != 0)
    throw_errno(errno, "create: segment '" + std::string(name) + "': ftruncate to " + std::to_string(total));
  std::shared_ptr<SegmentMap> map = map_file(std::string(name), fd, total, "create");

  Header& h = map->header();
  const PidNamespace ns = pid_namespace();
  h.id.version = kLayoutVersion;
  h.id.bytes = total;
  h.id.creator = static_cast<std::uint64_t>(getpid());
  h.id.pidns_dev = ns.dev;
  h.id.pidns_ino = ns.ino;
  h.id.flags = flags;
  h.free_head = kHeapStart;
  h.free_bytes = total - kHeapStart;
  map->at<FreeBlock>(kHeapStart) = {total - kHeapStart, 0};
  ::new (static_cast<void*>(&h.lock)) RobustLock();
  h.id.magic = kMagic;

  const std::string path = path_of(name);
  if (link(temp.c_str(), path.c_str()) != 0)
    throw_errno(errno, "create: segment '" + std::string(name) + "' (" + path + ")");
  return map;
}

std::shared_ptr<SegmentMap> open_map(std::string_view name) {
  check_name(name, "segment", "open");
  Segment::collect_garbage();
  const std::string path = path_of(name);
  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) throw_errno(errno, "open: segment '" + std::string(name) + "' (" + path + ")");
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throw_errno(errno, "open: fstat " + path);
  const std::optional<Identity> h = read_identity(fd.get());
  if (!S_ISREG(st.st_mode) || !h)
    throw std::runtime_error("billiard::Segment::open: " + path + " is not a billiard segment (left as it is)");
  if (h->version != kLayoutVersion)
    throw layout_mismatch("billiard::Segment::open: segment '" + std::string(name) + "' has layout version " +
                          std::to_string(h->version) + ", this library reads version " +
                          std::to_string(kLayoutVersion));
  if (const std::string problem = header_problem(*h, static_cast<std::uint64_t>(st.st_size)); !problem.empty())
    throw std::runtime_error("billiard::Segment::open: " + path + " is not a billiard segment: " + problem);
  const PidNamespace ns = pid_namespace();
  if (h->pidns_ino != 0 && ns.ino != 0 && (h->pidns_ino != ns.ino || h->pidns_dev != ns.dev))
    throw_errno(ENOTSUP, "open: segment '" + std::string(name) + "' was created in PID namespace pid:[" +
                             std::to_string(h->pidns_ino) + "], this process is in pid:[" + std::to_string(ns.ino) +
                             "]: its lock words hold thread ids, which mean nothing in another PID namespace");
  take_slot(fd.get(), std::string(name));
  if (!linked(fd.get())) throw_errno(ENOENT, "open: segment '" + std::string(name) + "' was just removed");
  return map_file(std::string(name), fd, h->bytes, "open");
}

bool is_errno(const std::system_error& e, int error) {
  return e.code().category() == std::generic_category() && e.code().value() == error;
}

std::shared_ptr<SegmentMap> open_or_create_map(std::string_view name, std::size_t bytes, std::uint64_t flags) {
  for (int attempt = 0;; ++attempt) {
    try {
      return open_map(name);
    } catch (const std::system_error& e) {
      if (!is_errno(e, ENOENT) || attempt == 100) throw;
    }
    try {
      return create_map(name, bytes, flags);
    } catch (const std::system_error& e) {
      if (!is_errno(e, EEXIST)) throw;  // someone created it first: open theirs
    }
  }
}

}  // namespace
}  // namespace detail

// ---- Layout

std::string Layout::describe() const {
  std::string text = kind;
  if (!type.empty()) text += "<" + type + (lock.empty() || kind == "Lock" ? "" : ", " + lock) + ">";
  else if (!lock.empty()) text += "<" + lock + ">";
  text += " (size " + std::to_string(size) + ", align " + std::to_string(align) + ", lock " +
          (lock.empty() ? "none" : lock) + ", length " +
          (length == kAnyLength ? std::string("any") : std::to_string(length)) + ", layout version " +
          std::to_string(version) + ")";
  return text;
}

bool Layout::accepts(const Layout& stored) const noexcept {
  return kind == stored.kind && type == stored.type && size == stored.size && align == stored.align &&
         lock == stored.lock && (length == kAnyLength || length == stored.length) && version == stored.version;
}

// ---- Segment

Segment Segment::create(std::string_view name, std::size_t bytes) {
  return Segment(detail::create_map(name, bytes, 0));
}
Segment Segment::create(std::string_view name, std::size_t bytes, remove_when_unused_t) {
  return Segment(detail::create_map(name, bytes, detail::kRemoveWhenUnused));
}
Segment Segment::open(std::string_view name) { return Segment(detail::open_map(name)); }
Segment Segment::open_or_create(std::string_view name, std::size_t bytes) {
  return Segment(detail::open_or_create_map(name, bytes, 0));
}
Segment Segment::open_or_create(std::string_view name, std::size_t bytes, remove_when_unused_t) {
  return Segment(detail::open_or_create_map(name, bytes, detail::kRemoveWhenUnused));
}

bool Segment::remove(std::string_view name) {
  detail::check_name(name, "segment", "remove");
  const std::string path = detail::path_of(name);
  if (unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  detail::throw_errno(errno, "remove: segment '" + std::string(name) + "' (" + path + ")");
}

std::vector<std::string> Segment::collect_garbage() {
  using namespace detail;
  std::vector<std::string> removed;
  for (const std::string& temp : shm_names(kTempPrefix)) {
    // A creator that died before linking: its pid is gone and its slot free.
    const pid_t pid = static_cast<pid_t>(std::strtol(temp.c_str(), nullptr, 10));
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    const std::string path = kDir + std::string(kTempPrefix) + temp;
    Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() >= 0 && unlink_if_unused(fd.get(), path)) removed.push_back(std::string(kTempPrefix) + temp);
  }
  for (const std::string& name : shm_names(kPrefix)) {
    const std::string path = path_of(name);
    Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) continue;  // gone meanwhile, or not ours to touch
    const std::optional<Identity> h = read_identity(fd.get());
    if (h && (h->flags & kRemoveWhenUnused) != 0 && unlink_if_unused(fd.get(), path)) removed.push_back(name);
  }
  return removed;
}

std::vector<SegmentInfo> Segment::list() {
  using namespace detail;
  collect_garbage();
  std::vector<SegmentInfo> out;
  for (const std::string& name : shm_names(kPrefix)) {
    const std::string path = path_of(name);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) continue;
    const std::optional<Identity> h = read_identity(fd.get());
    if (!h) continue;  // not a segment
    std::uint64_t objects = 0;
    if (pread(fd.get(), &objects, sizeof objects, offsetof(Header, objects)) != sizeof objects) continue;
    out.push_back({name, static_cast<std::size_t>(h->bytes), static_cast<pid_t>(h->creator),
                   count_attached(fd.get()), static_cast<std::size_t>(objects),
                   (h->flags & kRemoveWhenUnused) != 0});
  }
  return out;
}

detail::Placed Segment::place(std::string_view name, const Layout& want, std::size_t bytes,
                              detail::Construct build, const void* context) const {
  using namespace detail;
  check_name(name, "object", "find_or_create");
  const SegmentMap& map = *map_;
  Transaction tx(map);
  if (const Found found = find_record(map, name); found.record != nullptr) return placed_of(map, *found.record, want);

  const std::uint64_t texts = name.size() + want.kind.size() + want.type.size() + want.lock.size();
  const std::uint64_t object_at = round_to_slot(sizeof(Record) + texts);
  std::uint64_t block_bytes = object_at + round_to_slot(bytes == 0 ? 1 : bytes);
  const std::uint64_t at = allocate(map, tx, block_bytes, name);

  // The block is ours alone until it is linked: only its first two words
  // (a free block's bytes and next until now) need the log.
  Record& r = map.at<Record>(at);
  tx.set(r.bytes, block_bytes);
  tx.set(r.next, map.header().dir_head);
  r.hash = hash_of(name);
  r.object = at + object_at;
  r.size = want.size;
  r.align = want.align;
  r.length = want.length;
  r.name_len = static_cast<std::uint32_t>(name.size());
  r.kind_len = static_cast<std::uint32_t>(want.kind.size());
  r.type_len = static_cast<std::uint32_t>(want.type.size());
  r.lock_len = static_cast<std::uint32_t>(want.lock.size());
  char* text = reinterpret_cast<char*>(&r + 1);
  for (const std::string_view part : {name, std::string_view(want.kind), std::string_view(want.type),
                                      std::string_view(want.lock)})
    text = std::copy(part.begin(), part.end(), text);
  std::byte* object = &map.at<std::byte>(r.object);
  std::memset(object, 0, block_bytes - object_at);
  build(context, object);

  Header& h = map.header();
  tx.set(h.dir_head, at);  // from here on others find it, once we commit
  tx.set(h.objects, h.objects + 1);
  tx.commit();
  return {object, want.length};
}

std::optional<detail::Placed> Segment::lookup(std::string_view name, const Layout& want) const {
  using namespace detail;
  check_name(name, "object", "find");
  Transaction tx(*map_);
  const Found found = find_record(*map_, name);
  if (found.record == nullptr) return std::nullopt;
  return placed_of(*map_, *found.record, want);
}

bool Segment::erase(std::string_view name) const {
  using namespace detail;
  check_name(name, "object", "erase");
  const SegmentMap& map = *map_;
  Transaction tx(map);
  const Found found = find_record(map, name);
  if (found.record == nullptr) return false;
  Header& h = map.header();
  const std::uint64_t at = map.offset_of(found.record);
  tx.set(*found.link, found.record->next);
  tx.set(h.objects, h.objects - 1);
  free_block(map, tx, at, found.record->bytes);
  tx.commit();
  return true;
}

std::vector<std::string> Segment::names() const {
  using namespace detail;
  Transaction tx(*map_);
  std::vector<std::string> out;
  for (std::uint64_t at = map_->header().dir_head; at != 0;) {
    const Record& r = map_->at<Record>(at);
    out.emplace_back(r.name());
    at = r.next;
  }
  return out;
}

const std::string& Segment::name() const noexcept { return map_->name(); }
std::size_t Segment::size() const noexcept { return map_->bytes(); }
std::size_t Segment::free_bytes() const {
  detail::Transaction tx(*map_);
  return map_->header().free_bytes;
}

detail::SharedBlock Segment::block(std::byte* object) const noexcept {
  return detail::SharedBlock(object, std::shared_ptr<const void>(map_, map_.get()));
}

}  // namespace billiard
