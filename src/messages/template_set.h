#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::messages {

// The parts a template file may have, one per channel need (see README.md for the format).
enum class Part : std::uint8_t {
  kSubject,    // Email subject: plain text, one line.
  kPreheader,  // Email inbox preview: plain text, one line.
  kText,       // Email plain-text part.
  kHtml,       // Email HTML part: every {{value}} is HTML-escaped.
  kSms,        // SMS body: plain text.
  kWhatsapp,   // WhatsApp: approved template name, then one body parameter per line.
};

// "subject", "preheader", "text", "html", "sms", "whatsapp": the name in `--- NAME` lines.
std::string_view PartName(Part part);

// A set of parts, e.g. what a channel needs: Parts{Part::kSubject, Part::kText, Part::kHtml}.
class Parts {
 public:
  constexpr Parts() = default;
  constexpr Parts(std::initializer_list<Part> parts) {  // NOLINT(google-explicit-constructor)
    for (const Part p : parts) bits_ = static_cast<std::uint8_t>(bits_ | Bit(p));
  }
  constexpr bool Has(Part p) const { return (bits_ & Bit(p)) != 0; }
  constexpr Parts With(Part p) const {
    Parts out = *this;
    out.bits_ = static_cast<std::uint8_t>(bits_ | Bit(p));
    return out;
  }
  constexpr bool empty() const { return bits_ == 0; }

  // What each channel renders.
  static constexpr Parts Email() { return {Part::kSubject, Part::kText, Part::kHtml}; }
  static constexpr Parts Sms() { return {Part::kSms}; }
  static constexpr Parts Whatsapp() { return {Part::kWhatsapp}; }

 private:
  static constexpr std::uint8_t Bit(Part p) {
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(p));
  }
  std::uint8_t bits_ = 0;
};

// One product as a template shows it. Inside {{#new_products}}...{{/new_products}} and
// {{#recommended_products}}...{{/recommended_products}} the names sku, name, category, url,
// image_url and price refer to the current product.
struct Product {
  std::string sku;
  std::string name;
  std::string category;
  std::string url;
  std::string image_url;
  std::string price;  // Already formatted for the customer ("₺1.299,90", "$12.50").
};

// Everything a template may use; the template variable of each member has the member's name.
// Strings are UTF-8 and shown as given (the caller formats numbers, money and dates).
struct TemplateFields {
  std::string first_name;
  std::string last_name;
  std::string customer_id;
  std::string shop_name;
  std::int64_t days_since_last_order = 0;  // Shown as decimal digits.
  std::string favourite_category;
  std::vector<Product> new_products;          // Section: repeated per product; {{^...}} if none.
  std::vector<Product> recommended_products;  // Section, as new_products.
  bool has_offer = false;                     // Section: {{#has_offer}}...{{/has_offer}}.
  std::string offer_name;
  std::string offer_text;
  std::string coupon;
  std::string offer_deadline;  // Formatted in the customer's language and time zone.
  std::string unsubscribe_url;
  std::string preferences_url;
  // Ignored by Render: the template variable `language` is the language rendered (the
  // requested one or the fallback), so <html lang="{{language}}"> matches the text.
  std::string language;
};

// A template rendered for one customer. A part the template lacks is empty.
struct RenderedMessage {
  std::string subject;    // Whitespace runs (line breaks too) collapsed to one space, trimmed.
  std::string preheader;  // As subject.
  std::string text;
  std::string html;
  std::string sms;
  std::string whatsapp_template;                 // The approved template's name.
  std::vector<std::string> whatsapp_parameters;  // In order; whitespace collapsed as subject.
  std::string language;                          // The language rendered: requested or fallback.
  std::string dir;  // "rtl" for right-to-left languages (fa, ar, he, ur), else "ltr"; also the
                    // template variable {{dir}}.
};

// The message templates of one directory, parsed and checked once. Immutable after Load:
// Require and Render are thread-safe. Movable, not copyable.
class TemplateSet {
 public:
  // Loads every DIR/NAME.LANG.mustache (NAME: [a-z0-9_]+, LANG: a language tag like "en" or
  // "pt-BR"); other files are ignored. Checks each file whole: its part lines
  // (`--- subject` etc., each part at most once, nothing but blank lines before the first),
  // mustache syntax, that every tag names a TemplateFields variable or `dir`/`language`, that
  // sections are only new_products, recommended_products (whose items add the Product fields)
  // and has_offer, no partials, no delimiter changes, and no unescaped tags ({{{x}}}, {{&x}})
  // in the html part. Errors: NotFound when `dir` is not a directory; InvalidArgument
  // "FILE:LINE: what" for the first problem found, files in name order.
  static Result<TemplateSet> Load(const std::string& dir);

  TemplateSet(TemplateSet&&) noexcept;
  TemplateSet& operator=(TemplateSet&&) noexcept;
  TemplateSet(const TemplateSet&) = delete;
  TemplateSet& operator=(const TemplateSet&) = delete;
  ~TemplateSet();

  // Config-time check that Render(name, language, fallback_language, ...) will find a template
  // with every part in `needed`: the template in `language` when that file exists, else in
  // `fallback_language`. Errors: NotFound naming the template and both languages when neither
  // file exists; InvalidArgument naming the template, language and the first missing part.
  Status Require(std::string_view name, std::string_view language,
                 std::string_view fallback_language, Parts needed) const;

  // Renders every part of template `name` in `language`, or in `fallback_language` when there
  // is no such file. {{x}} is HTML-escaped in the html part and verbatim in all other parts.
  // Errors: NotFound as Require. Parsing happened at Load; this only fills in values.
  Result<RenderedMessage> Render(std::string_view name, std::string_view language,
                                 std::string_view fallback_language,
                                 const TemplateFields& fields) const;

  // The templates loaded, as "NAME.LANG", sorted.
  std::vector<std::string> Names() const;

 private:
  struct Impl;
  explicit TemplateSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace winback::messages
