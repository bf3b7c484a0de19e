#include "messages/template_set.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "core/utf8.h"

namespace winback::messages {
namespace {

namespace mus = kainjow::mustache;

constexpr std::array<Part, 6> kAllParts = {Part::kSubject, Part::kPreheader, Part::kText,
                                           Part::kHtml,    Part::kSms,       Part::kWhatsapp};

const std::set<std::string, std::less<>>& Variables() {
  static const auto* const kNames = new std::set<std::string, std::less<>>{
      "first_name",         "last_name",       "customer_id", "shop_name", "days_since_last_order",
      "favourite_category", "offer_name",      "offer_text",  "coupon",    "offer_deadline",
      "unsubscribe_url",    "preferences_url", "language",    "dir"};
  return *kNames;
}

bool IsProductList(std::string_view name) {
  return name == "new_products" || name == "recommended_products";
}

bool IsProductField(std::string_view name) {
  return name == "sku" || name == "name" || name == "category" || name == "url" ||
         name == "image_url" || name == "price";
}

bool IsRtl(std::string_view language) {
  const std::string_view primary = language.substr(0, language.find('-'));
  return primary == "fa" || primary == "ar" || primary == "he" || primary == "ur";
}

std::string Trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Every run of whitespace, line breaks included, becomes one space; the ends are trimmed.
std::string CollapseWhitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (const char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

struct TemplateFile {
  std::string path;
  std::string language;
  std::array<std::unique_ptr<mus::mustache>, 6> parts;  // Indexed by Part; null when absent.
  bool has_whatsapp = false;
  std::string whatsapp_template;
  std::vector<std::unique_ptr<mus::mustache>> whatsapp_parameters;
};

Status LineError(std::string_view file, int line, std::string_view what) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) + ": " +
                              std::string(what));
}

int LineAt(std::string_view body, std::size_t offset, int first_line) {
  return first_line +
         static_cast<int>(std::count(
             body.begin(),
             body.begin() + static_cast<std::ptrdiff_t>(std::min(offset, body.size())), '\n'));
}

// Checks the tags of one part (its text starts on line `first_line` of `file`).
Status CheckTags(std::string_view file, int first_line, std::string_view body, Part part) {
  std::vector<std::pair<std::string, int>> sections;  // Open sections and their lines.
  std::size_t pos = 0;
  while ((pos = body.find("{{", pos)) != std::string_view::npos) {
    const int line = LineAt(body, pos, first_line);
    const bool triple = body.substr(pos, 3) == "{{{";
    const std::string_view close = triple ? "}}}" : "}}";
    const std::size_t start = pos + (triple ? 3 : 2);
    const std::size_t end = body.find(close, start);
    if (end == std::string_view::npos) {
      return LineError(file, line, "unclosed tag, no '" + std::string(close) + "'");
    }
    std::string content = Trim(body.substr(start, end - start));
    pos = end + close.size();
    char sigil = triple ? '&' : (content.empty() ? ' ' : content[0]);
    if (!triple && std::string_view("#^/!&>=").find(sigil) != std::string_view::npos) {
      content = Trim(std::string_view(content).substr(1));
    } else if (!triple) {
      sigil = ' ';
    }
    if (sigil == '!') continue;
    if (sigil == '>') return LineError(file, line, "partials ({{>...}}) are not supported");
    if (sigil == '=')
      return LineError(file, line, "delimiter changes ({{=...=}}) are not supported");
    if (content.empty()) return LineError(file, line, "empty tag");
    if (sigil == '#' || sigil == '^') {
      if (!IsProductList(content) && content != "has_offer") {
        return LineError(file, line,
                         "'" + content +
                             "' cannot open a section (sections: new_products, "
                             "recommended_products, has_offer)");
      }
      sections.emplace_back(content, line);
      continue;
    }
    if (sigil == '/') {
      if (sections.empty() || sections.back().first != content) {
        return LineError(file, line,
                         "{{/" + content + "}} closes no open section" +
                             (sections.empty() ? "" : " (open: " + sections.back().first + ")"));
      }
      sections.pop_back();
      continue;
    }
    if (sigil == '&' && part == Part::kHtml) {
      return LineError(file, line,
                       "unescaped tag for '" + content +
                           "' in the html part; every value there is HTML-escaped");
    }
    bool in_products = false;
    for (const auto& [name, unused] : sections) in_products = in_products || IsProductList(name);
    const bool known = Variables().count(content) > 0 || (in_products && IsProductField(content));
    if (!known) {
      return LineError(file, line,
                       "unknown field '" + content + "'" +
                           (IsProductField(content) ? " (product fields need a "
                                                      "{{#new_products}} or "
                                                      "{{#recommended_products}} section)"
                                                    : ""));
    }
  }
  if (!sections.empty()) {
    return LineError(file, sections.back().second,
                     "section '" + sections.back().first + "' is never closed");
  }
  return Status::Ok();
}

Result<std::unique_ptr<mus::mustache>> Compile(std::string_view file, int first_line,
                                               const std::string& body, Part part) {
  WINBACK_RETURN_IF_ERROR(CheckTags(file, first_line, body, part));
  try {
    auto tmpl = std::make_unique<mus::mustache>(body);
    if (!tmpl->is_valid()) {
      // kainjow reports "... at OFFSET"; our own check above catches what it knows first.
      const std::string& message = tmpl->error_message();
      const std::size_t at = message.rfind(' ');
      std::size_t offset = 0;
      if (at != std::string::npos) offset = std::strtoul(message.c_str() + at + 1, nullptr, 10);
      return LineError(file, LineAt(body, offset, first_line), message);
    }
    if (part != Part::kHtml) tmpl->set_custom_escape([](const std::string& s) { return s; });
    return tmpl;
  } catch (const std::exception& e) {
    return LineError(file, first_line, std::string("template error: ") + e.what());
  }
}

bool IsNamePiece(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// NAME or NAME.VARIANT (a step's variant: come_back.emoji), each a-z, 0-9, '_' and '-'.
bool IsTemplateName(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return IsNamePiece(s);
  return IsNamePiece(s.substr(0, dot)) && IsNamePiece(s.substr(dot + 1));
}

bool IsLanguageTag(std::string_view s) {
  if (s.size() < 2 || s.size() > 35 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::optional<Part> PartFromName(std::string_view name) {
  for (const Part p : kAllParts) {
    if (PartName(p) == name) return p;
  }
  return std::nullopt;
}

// Parses one file's text into `out`.
Status ParseFile(const std::string& file, std::string_view text, TemplateFile& out) {
  std::size_t bad = 0;
  if (!IsValidUtf8(text, &bad)) return LineError(file, LineAt(text, bad, 1), "not valid UTF-8");
  struct Section {
    Part part;
    int first_line;
    std::vector<std::string> lines;
  };
  std::vector<Section> sections;
  std::array<int, 6> seen_at{};
  int line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    ++line_no;
    if (line.substr(0, 3) == "---") {
      const std::string name = Trim(line.substr(3));
      const std::optional<Part> part = PartFromName(name);
      if (!part) {
        return LineError(
            file, line_no,
            "unknown part '" + name + "' (parts: subject, preheader, text, html, sms, whatsapp)");
      }
      const auto index = static_cast<std::size_t>(*part);
      if (seen_at[index] != 0) {
        return LineError(
            file, line_no,
            "part '" + name + "' again (first on line " + std::to_string(seen_at[index]) + ")");
      }
      seen_at[index] = line_no;
      sections.push_back({*part, line_no + 1, {}});
      continue;
    }
    if (sections.empty()) {
      if (!Trim(line).empty()) {
        return LineError(file, line_no, "text before the first part line (--- subject, ...)");
      }
      continue;
    }
    sections.back().lines.emplace_back(line);
  }
  for (Section& section : sections) {
    while (!section.lines.empty() && Trim(section.lines.back()).empty()) section.lines.pop_back();
    if (section.part == Part::kWhatsapp) {
      out.has_whatsapp = true;
      for (std::size_t i = 0; i < section.lines.size(); ++i) {
        const int line = section.first_line + static_cast<int>(i);
        const std::string trimmed = Trim(section.lines[i]);
        if (trimmed.empty()) continue;
        if (out.whatsapp_template.empty()) {
          const bool valid = std::all_of(trimmed.begin(), trimmed.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
          });
          if (!valid) {
            return LineError(file, line,
                             "WhatsApp template name '" + trimmed +
                                 "': lower-case letters, digits and '_' only");
          }
          out.whatsapp_template = trimmed;
          continue;
        }
        WINBACK_ASSIGN_OR_RETURN(auto tmpl, Compile(file, line, trimmed, Part::kWhatsapp));
        out.whatsapp_parameters.push_back(std::move(tmpl));
      }
      if (out.whatsapp_template.empty()) {
        return LineError(file, section.first_line - 1,
                         "whatsapp part without the approved template name");
      }
      continue;
    }
    std::string body;
    for (std::size_t i = 0; i < section.lines.size(); ++i) {
      if (i > 0) body += '\n';
      body += section.lines[i];
    }
    WINBACK_ASSIGN_OR_RETURN(auto tmpl, Compile(file, section.first_line, body, section.part));
    out.parts[static_cast<std::size_t>(section.part)] = std::move(tmpl);
  }
  return Status::Ok();
}

mus::data ProductList(const std::vector<Product>& products) {
  mus::data list{mus::data::type::list};
  for (const Product& p : products) {
    mus::data item;
    item.set("sku", p.sku);
    item.set("name", p.name);
    item.set("category", p.category);
    item.set("url", p.url);
    item.set("image_url", p.image_url);
    item.set("price", p.price);
    list.push_back(item);
  }
  return list;
}

std::string RenderOne(mus::mustache& tmpl, const mus::data& data) {
  std::string out;
  tmpl.render(data, [&out](const std::string& s) { out += s; });
  return out;
}

}  // namespace

std::string_view PartName(Part part) {
  switch (part) {
    case Part::kSubject:
      return "subject";
    case Part::kPreheader:
      return "preheader";
    case Part::kText:
      return "text";
    case Part::kHtml:
      return "html";
    case Part::kSms:
      return "sms";
    case Part::kWhatsapp:
      return "whatsapp";
  }
  return "?";
}

struct TemplateSet::Impl {
  // Keyed by (name, language).
  std::map<std::pair<std::string, std::string>, TemplateFile, std::less<>> files;

  const TemplateFile* Find(std::string_view name, std::string_view language) const {
    const auto it = files.find(std::make_pair(std::string(name), std::string(language)));
    return it == files.end() ? nullptr : &it->second;
  }

  Result<const TemplateFile*> Choose(std::string_view name, std::string_view language,
                                     std::string_view fallback) const {
    if (const TemplateFile* f = Find(name, language)) return f;
    if (const TemplateFile* f = Find(name, fallback)) return f;
    return NotFoundError("template '" + std::string(name) + "': no file for language '" +
                         std::string(language) + "' nor fallback '" + std::string(fallback) +
                         "' (" + std::string(name) + "." + std::string(language) + ".mustache)");
  }
};

TemplateSet::TemplateSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TemplateSet::TemplateSet(TemplateSet&&) noexcept = default;
TemplateSet& TemplateSet::operator=(TemplateSet&&) noexcept = default;
TemplateSet::~TemplateSet() = default;

Result<TemplateSet> TemplateSet::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError("template directory '" + dir + "': not a directory");
  }
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".mustache") paths.push_back(it->path());
  }
  if (ec) return NotFoundError("template directory '" + dir + "': " + ec.message());
  std::sort(paths.begin(), paths.end());
  auto impl = std::make_unique<Impl>();
  for (const fs::path& path : paths) {
    const std::string file = path.string();
    const std::string stem = path.stem().string();  // NAME.LANG
    const std::size_t dot = stem.rfind('.');
    const std::string name = dot == std::string::npos ? stem : stem.substr(0, dot);
    const std::string language = dot == std::string::npos ? "" : stem.substr(dot + 1);
    if (!IsTemplateName(name) || !IsLanguageTag(language)) {
      return InvalidArgumentError(
          file +
          ": file name must be NAME.LANG.mustache or NAME.VARIANT.LANG.mustache (NAME, "
          "VARIANT: a-z, 0-9, _, -; "
          "LANG: a language tag such as en or pt-BR)");
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return InvalidArgumentError(file + ": cannot read");
    TemplateFile parsed;
    parsed.path = file;
    parsed.language = language;
    WINBACK_RETURN_IF_ERROR(ParseFile(file, text.str(), parsed));
    impl->files.emplace(std::make_pair(name, language), std::move(parsed));
  }
  return TemplateSet(std::move(impl));
}

Status TemplateSet::Require(std::string_view name, std::string_view language,
                            std::string_view fallback_language, Parts needed) const {
  WINBACK_ASSIGN_OR_RETURN(const TemplateFile* file,
                           impl_->Choose(name, language, fallback_language));
  for (const Part p : kAllParts) {
    if (!needed.Has(p)) continue;
    const bool present = p == Part::kWhatsapp ? file->has_whatsapp
                                              : file->parts[static_cast<std::size_t>(p)] != nullptr;
    if (!present) {
      return InvalidArgumentError("template '" + std::string(name) + "' in language '" +
                                  file->language + "' (" + file->path + "): no '" +
                                  std::string(PartName(p)) + "' part");
    }
  }
  return Status::Ok();
}

Result<RenderedMessage> TemplateSet::Render(std::string_view name, std::string_view language,
                                            std::string_view fallback_language,
                                            const TemplateFields& fields) const {
  WINBACK_ASSIGN_OR_RETURN(const TemplateFile* file,
                           impl_->Choose(name, language, fallback_language));
  RenderedMessage out;
  out.language = file->language;
  out.dir = IsRtl(file->language) ? "rtl" : "ltr";
  try {
    mus::data data;
    data.set("first_name", fields.first_name);
    data.set("last_name", fields.last_name);
    data.set("customer_id", fields.customer_id);
    data.set("shop_name", fields.shop_name);
    data.set("days_since_last_order", std::to_string(fields.days_since_last_order));
    data.set("favourite_category", fields.favourite_category);
    data.set("new_products", ProductList(fields.new_products));
    data.set("recommended_products", ProductList(fields.recommended_products));
    data.set("has_offer", mus::data(fields.has_offer));
    data.set("offer_name", fields.offer_name);
    data.set("offer_text", fields.offer_text);
    data.set("coupon", fields.coupon);
    data.set("offer_deadline", fields.offer_deadline);
    data.set("unsubscribe_url", fields.unsubscribe_url);
    data.set("preferences_url", fields.preferences_url);
    data.set("language", out.language);
    data.set("dir", out.dir);
    const auto part = [&](Part p) -> std::string {
      const auto& tmpl = file->parts[static_cast<std::size_t>(p)];
      return tmpl ? RenderOne(*tmpl, data) : std::string();
    };
    out.subject = CollapseWhitespace(part(Part::kSubject));
    out.preheader = CollapseWhitespace(part(Part::kPreheader));
    out.text = part(Part::kText);
    out.html = part(Part::kHtml);
    out.sms = part(Part::kSms);
    out.whatsapp_template = file->whatsapp_template;
    for (const auto& tmpl : file->whatsapp_parameters) {
      out.whatsapp_parameters.push_back(CollapseWhitespace(RenderOne(*tmpl, data)));
    }
  } catch (const std::exception& e) {
    return InternalError("template '" + std::string(name) + "' (" + file->path +
                         "): render failed: " + e.what());
  }
  return out;
}

std::vector<std::string> TemplateSet::Names() const {
  std::vector<std::string> out;
  for (const auto& [key, unused] : impl_->files) out.push_back(key.first + "." + key.second);
  return out;
}

}  // namespace winback::messages
