#include "core/html.h"

#include <gtest/gtest.h>

namespace winback {
namespace {

TEST(EscapeHtmlTest, EscapesMarkupCharacters) {
  EXPECT_EQ(EscapeHtml("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
  EXPECT_EQ(EscapeHtml("Ayşe رضایی"), "Ayşe رضایی");  // UTF-8 kept
  EXPECT_EQ(EscapeHtml(""), "");
}

}  // namespace
}  // namespace winback
