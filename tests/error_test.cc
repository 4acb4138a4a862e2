#include "fleetsizer/error.h"

#include <gtest/gtest.h>

namespace fleetsizer {
namespace {

// Whatever an error quotes, it prints as one line: line breaks and control characters are
// escaped, everything else (UTF-8 included) is kept.
TEST(Error, MessagesAreOneLine) {
  EXPECT_EQ(fail("key 'a\nb' unknown").error().message, "key 'a\\nb' unknown");
  EXPECT_EQ(one_line("x\r\n\ty\x01\x7f"), "x\\r\\n y\\x01\\x7f");
  EXPECT_EQ(one_line("caf\xc3\xa9 ok"), "caf\xc3\xa9 ok");
}

}  // namespace
}  // namespace fleetsizer
