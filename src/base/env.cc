#include "base/env.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace aidtrace {
namespace {

class PosixEnv final : public Env {
 public:
  PosixEnv() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
  Timestamp Now() override {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
    return Timestamp{ns / 1'000'000'000, static_cast<int32_t>(ns % 1'000'000'000)};
  }
  void RandomBytes(std::span<uint8_t> out) override { randombytes_buf(out.data(), out.size()); }
};

Status Errno(std::string_view what, const std::string& path) {
  const int err = errno;
  char buf[256];
  // GNU strerror_r: thread-safe, returns the message (possibly not in buf).
  const char* msg = strerror_r(err, buf, sizeof buf);
  return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError,
                fmt::format("{} {}: {}", what, path, msg));
}

std::string DirName(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

Status Env::BeforeWrite(std::string_view, uint64_t, size_t) { return Status::Ok(); }
Status Env::BeforeSync(std::string_view) { return Status::Ok(); }

Result<std::string> Env::ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

bool Env::FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode,
                            bool overwrite) {
  if (!overwrite && FileExists(path)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{} already exists; refusing to overwrite it", path));
  }
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create", tmp);
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  if (Status s = BeforeWrite(tmp, 0, data.size()); !s.ok()) return fail(s);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errno("cannot write", tmp));
    }
    done += static_cast<size_t>(n);
  }
  if (Status s = BeforeSync(tmp); !s.ok()) return fail(s);
  if (::fsync(fd) != 0) return fail(Errno("cannot sync", tmp));
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("cannot rename to", path);
    ::unlink(tmp.c_str());
    return s;
  }
  const std::string dir = DirName(path);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) return Errno("cannot sync directory", dir);
  }
  return Status::Ok();
}

}  // namespace aidtrace
