#include "channels/channel_settings.h"

#include <cctype>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include "config/registry.h"

namespace winback::channels {
namespace {

using config::SectionView;
using config::Value;

struct KindSpec {
  ChannelKind kind;
  std::vector<std::string> transports;
  std::optional<ChannelConfig> ChannelSettings::*member;
};

const std::vector<KindSpec>& KindSpecs() {
  static const std::vector<KindSpec> kSpecs = {
      {ChannelKind::kEmail, {"file", "smtp", "webhook"}, &ChannelSettings::email},
      {ChannelKind::kSms, {"file", "twilio", "webhook"}, &ChannelSettings::sms},
      {ChannelKind::kWhatsapp, {"file", "whatsapp_cloud", "webhook"}, &ChannelSettings::whatsapp},
  };
  return kSpecs;
}

std::vector<config::Key> KeysFor(const KindSpec& spec) {
  std::vector<config::Key> keys = {
      config::OneOf("transport", spec.transports), config::String("url"), config::String("from"),
      config::Integer("timeout_seconds", 1, 600), config::Boolean("sync")};
  if (spec.kind == ChannelKind::kEmail) {
    keys.push_back(config::Boolean("starttls"));
    keys.push_back(config::String("dkim_domain"));
    keys.push_back(config::String("dkim_selector"));
  }
  if (spec.kind == ChannelKind::kWhatsapp) keys.push_back(config::String("phone_number_id"));
  return keys;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The host of "scheme://[userinfo@]host[:port][/path]", without brackets around IPv6.
std::string_view UrlHost(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    rest = rest.substr(at + 1);
  }
  if (StartsWith(rest, "[")) return rest.substr(1, rest.find(']') - 1);
  return rest.substr(0, rest.find(':'));
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || StartsWith(host, "127.");
}

// A DKIM d= or s= value (RFC 6376 section 3.5): labels of letters, digits and '-', not
// starting or ending with '-', at most 63 characters, separated by '.'; 253 characters at most.
bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// dkim_domain and dkim_selector: both or neither, each a DNS name.
Status ParseDkim(const SectionView& s, const std::string& name, const Value& table,
                 ChannelConfig& out) {
  const Value* domain = table.Find("dkim_domain");
  const Value* selector = table.Find("dkim_selector");
  if (domain != nullptr) out.dkim_domain = domain->AsString();
  if (selector != nullptr) out.dkim_selector = selector->AsString();
  if (out.dkim_domain.empty() != out.dkim_selector.empty()) {
    const bool has_domain = !out.dkim_domain.empty();
    return s.Error(has_domain ? *domain : *selector, name,
                   has_domain ? "dkim_domain needs dkim_selector (set both or neither)"
                              : "dkim_selector needs dkim_domain (set both or neither)");
  }
  for (const auto& [key, value] : {std::pair<std::string_view, const Value*>{"dkim_domain", domain},
                                   {"dkim_selector", selector}}) {
    if (value == nullptr || value->AsString().empty() || IsDnsName(value->AsString())) continue;
    return s.Error(
        *value, name + "." + std::string(key),
        "\"" + value->AsString() +
            "\" is not a DNS name (labels of letters, digits and '-', separated by '.')");
  }
  return Status::Ok();
}

Status ParseKind(const SectionView& s, const std::string& name, const Value& table,
                 ChannelConfig& out) {
  const Value* transport = table.Find("transport");
  if (transport == nullptr) return s.Error(table, name, "missing key transport");
  out.transport = transport->AsString();
  const Value* url = table.Find("url");
  if (url == nullptr) return s.Error(table, name, "missing key url");
  out.url = url->AsString();
  if (const Value* v = table.Find("from")) out.from = v->AsString();
  if (const Value* v = table.Find("phone_number_id")) out.phone_number_id = v->AsString();
  if (const Value* v = table.Find("timeout_seconds")) out.timeout_seconds = v->AsInteger();
  const std::string url_key = name + ".url";
  if (out.url.empty()) return s.Error(*url, url_key, "must not be empty");
  if (const Value* v = table.Find("sync")) {
    if (out.transport != "file") {
      return s.Error(*v, name + ".sync", "only the file transport has sync");
    }
    out.sync = v->AsBoolean();
  }
  if (out.transport == "file") {
    std::filesystem::path folder(out.url);
    if (folder.is_relative()) {
      folder = std::filesystem::path(std::string(s.file())).parent_path() / folder;
    }
    out.url = folder.lexically_normal().string();
  } else if (out.transport == "smtp") {
    if (!StartsWith(out.url, "smtp://") && !StartsWith(out.url, "smtps://")) {
      return s.Error(*url, url_key,
                     "smtp needs an smtp:// or smtps:// URL, got \"" + out.url + "\"");
    }
    if (UrlHost(out.url).empty()) return s.Error(*url, url_key, "no host in \"" + out.url + "\"");
    out.starttls = !IsLoopbackHost(UrlHost(out.url));
    if (const Value* v = table.Find("starttls")) out.starttls = v->AsBoolean();
  } else {
    if (!StartsWith(out.url, "http://") && !StartsWith(out.url, "https://")) {
      return s.Error(*url, url_key,
                     out.transport + " needs an http:// or https:// URL, got \"" + out.url + "\"");
    }
    if (UrlHost(out.url).empty()) return s.Error(*url, url_key, "no host in \"" + out.url + "\"");
  }
  if ((out.transport == "smtp" || out.transport == "twilio") && out.from.empty()) {
    return s.Error(table, name, out.transport + " needs a non-empty key from");
  }
  if (out.transport == "whatsapp_cloud" && out.phone_number_id.empty()) {
    return s.Error(table, name, "whatsapp_cloud needs a non-empty key phone_number_id");
  }
  return ParseDkim(s, name, table, out);
}

}  // namespace

const std::optional<ChannelConfig>& ChannelSettings::For(ChannelKind kind) const {
  switch (kind) {
    case ChannelKind::kEmail:
      return email;
    case ChannelKind::kSms:
      return sms;
    case ChannelKind::kWhatsapp:
      return whatsapp;
  }
  WINBACK_CHECK(false);
  return email;
}

void AddConfigSections(config::Registry& registry) {
  std::vector<config::Key> tables;
  for (const KindSpec& spec : KindSpecs()) {
    tables.push_back(config::Table(std::string(ChannelKindName(spec.kind)), KeysFor(spec)));
  }
  registry.Add<ChannelSettings>("channels", std::move(tables),
                                [](const SectionView& s, ChannelSettings& out) {
                                  for (const KindSpec& spec : KindSpecs()) {
                                    const std::string name(ChannelKindName(spec.kind));
                                    const Value* table = s.Find(name);
                                    if (table == nullptr) continue;
                                    ChannelConfig config;
                                    WINBACK_RETURN_IF_ERROR(ParseKind(s, name, *table, config));
                                    out.*spec.member = std::move(config);
                                  }
                                  return Status::Ok();
                                });
}

}  // namespace winback::channels
