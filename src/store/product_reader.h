#pragma once

#include <vector>

#include "core/status.h"
#include "store/records.h"

namespace winback::store {

// Role: the product catalogue (imported with `winback import --products`). Unavailable for I/O
// errors. One thread at a time per store object.
class ProductReader {
 public:
  virtual ~ProductReader() = default;
  ProductReader(const ProductReader&) = delete;
  ProductReader& operator=(const ProductReader&) = delete;

  // Every stored product, in sku order (byte-wise); empty when none was imported. The catalogue
  // is small (thousands of rows), so it is read whole.
  virtual Result<std::vector<ProductRecord>> LoadProducts() = 0;

 protected:
  ProductReader() = default;
};

}  // namespace winback::store
