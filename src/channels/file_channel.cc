#include "channels/file_channel.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

namespace winback::channels {
namespace {

constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kCutNameBytes = 180;

std::string OsError(const std::string& what, int error) {
  return what + ": " + std::strerror(error);
}

// Writes all of `data` to `fd`, retrying short writes and EINTR. Returns 0 or an errno.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

std::string MessageJson(const OutboundMessage& m) {
  nlohmann::json j = {{"key", m.key},
                      {"kind", std::string(ChannelKindName(m.kind))},
                      {"from", m.from},
                      {"to", m.to},
                      {"text", m.text},
                      {"subject", m.subject},
                      {"email_mime", m.email_mime},
                      {"whatsapp_template", m.whatsapp_template},
                      {"whatsapp_language", m.whatsapp_language},
                      {"whatsapp_parameters", m.whatsapp_parameters}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

class FileChannel final : public Channel {
 public:
  FileChannel(std::filesystem::path folder, bool sync) : folder_(std::move(folder)), sync_(sync) {}

  DeliveryResult Send(const OutboundMessage& message) override {
    DeliveryResult result;
    if (message.key.empty()) {
      result.outcome = DeliveryOutcome::kDead;
      result.detail = "empty idempotency key";
      return result;
    }
    const bool email = message.kind == ChannelKind::kEmail;
    const std::string name = FileNameForKey(message.key) + (email ? ".eml" : ".json");
    const std::filesystem::path final_path = folder_ / name;
    const std::string contents = email ? message.email_mime : MessageJson(message);
    const int error = WriteAtomically(final_path, contents);
    if (error != 0) {
      result.outcome = DeliveryOutcome::kRetry;
      result.detail = OsError("cannot write " + final_path.string(), error);
      return result;
    }
    result.outcome = DeliveryOutcome::kSent;
    result.provider_id = final_path.string();
    return result;
  }

  const std::string& transport() const override { return transport_; }

 private:
  // Returns 0 or an errno. The temporary name starts with '.' so it never looks like a message.
  int WriteAtomically(const std::filesystem::path& final_path, std::string_view contents) {
    const std::filesystem::path temp =
        folder_ / (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_));
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    int error = WriteAll(fd, contents);
    if (error == 0 && sync_ && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(temp.c_str(), final_path.c_str()) != 0) error = errno;
    if (error != 0) {
      ::unlink(temp.c_str());
      return error;
    }
    if (!sync_) return 0;
    // The rename is durable only once the folder is.
    const int dir = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return errno;
    if (::fsync(dir) != 0) error = errno;
    ::close(dir);
    return error;
  }

  std::filesystem::path folder_;
  bool sync_ = true;
  std::string transport_ = "file";
  std::uint64_t counter_ = 0;
};

std::uint64_t Fnv1a64(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string FileNameForKey(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string name;
  name.reserve(key.size());
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto b = static_cast<unsigned char>(key[i]);
    if (b == '/') {
      name += "__";
    } else if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
               b == '-' || b == '_' || (b == '.' && i > 0) || b >= 0x80) {
      name += static_cast<char>(b);
    } else {
      name += '%';
      name += kHex[b >> 4];
      name += kHex[b & 0xF];
    }
  }
  if (name.size() > kMaxNameBytes) {
    std::size_t cut = kCutNameBytes;
    // Back up over UTF-8 continuation bytes so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    const std::uint64_t hash = Fnv1a64(key);
    name.resize(cut);
    name += '~';
    for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(hash >> shift) & 0xF];
  }
  return name;
}

Result<std::unique_ptr<Channel>> MakeFileChannel(const ChannelConfig& config) {
  const std::filesystem::path folder(config.url);
  if (folder.empty()) return FailedPreconditionError("file channel: no folder (url) given");
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    return FailedPreconditionError("file channel: cannot create folder '" + folder.string() +
                                   "': " + ec.message());
  }
  if (!std::filesystem::is_directory(folder, ec)) {
    return FailedPreconditionError("file channel: '" + folder.string() + "' is not a folder");
  }
  return std::unique_ptr<Channel>(std::make_unique<FileChannel>(folder, config.sync));
}

}  // namespace winback::channels
