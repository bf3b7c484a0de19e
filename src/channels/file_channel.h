#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "channels/channel.h"
#include "channels/channel_settings.h"
#include "core/status.h"

namespace winback::channels {

// The "file" transport: every message becomes one file in the folder `config.url` (created,
// with its parents, when missing). Email: `<FileNameForKey(key)>.eml` holding `email_mime`
// byte for byte; sms and whatsapp: `<FileNameForKey(key)>.json`, one JSON object with every
// OutboundMessage field (kind as its name, "sms"). A file is written to a temporary file in
// the same folder, fsynced, renamed over the final name and the folder fsynced, so a reader
// sees either no file or the whole message, and sending a key again replaces its file
// (idempotent). Send: kSent with provider_id the file's path; kDead for an empty key; kRetry
// when the file cannot be written (disk full, permissions), with the OS error as detail.
// Errors: FailedPrecondition when the folder cannot be created or is not a folder.
Result<std::unique_ptr<Channel>> MakeFileChannel(const ChannelConfig& config);

// The file name (without extension) for an idempotency key: bytes A-Z a-z 0-9 '-' '_' '.' and
// UTF-8 bytes >= 0x80 stay, '/' becomes "__", every other byte (control characters, '%',
// spaces, ':' ...) and a leading '.' becomes %XX (upper-case hex). "winback/come_back/C123/1"
// gives "winback__come_back__C123__1". A name longer than 200 bytes is cut at 180 bytes (not
// inside a UTF-8 sequence) and followed by '~' and 16 hex digits of a 64-bit FNV-1a hash of
// the key, so it stays unique and fits every file system's 255-byte limit.
std::string FileNameForKey(std::string_view key);

}  // namespace winback::channels
