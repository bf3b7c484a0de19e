#pragma once

#include <cstdint>
#include <string_view>

namespace winback {

// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78; init and final xor
// 0xFFFFFFFF), the checksum of iSCSI, ext4 and LevelDB's log: Crc32c("123456789") = 0xE3069283.
// `Crc32cExtend(Crc32c(a), b) == Crc32c(a + b)`. Table-driven, one byte per step.
std::uint32_t Crc32cExtend(std::uint32_t crc, std::string_view bytes);
inline std::uint32_t Crc32c(std::string_view bytes) { return Crc32cExtend(0, bytes); }

}  // namespace winback
