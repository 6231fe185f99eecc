// Structure check of CSV text before any reader sees it (data layer).
// A quote-aware state machine over bytes, fed in chunks: it records, for
// every non-blank record, the physical line it starts on and its number of
// fields, and stops at the first malformed quote. No R types here.
#ifndef CSCDEMAND_CSV_SCAN_H
#define CSCDEMAND_CSV_SCAN_H

#include <cstddef>
#include <vector>

namespace cscdemand {

// Error codes.
enum CsvError {
  CSV_OK = 0,
  CSV_STRAY_QUOTE = 1,     // a quote inside an unquoted value: ab"c
  CSV_TEXT_AFTER_QUOTE = 2, // text after a closing quote: "Jane "Jo" Smith"
  CSV_UNCLOSED_QUOTE = 3,  // a quote opened and never closed
  CSV_NUL = 4              // a NUL byte: not a text file
};

struct CsvScanner {
  // Records (non-blank lines or multi-line records).
  std::vector<int> rec_line;     // physical line where each record starts (1-based)
  std::vector<int> rec_fields;   // fields in each record
  std::vector<int> blank_line;   // physical lines with no content (skipped)
  bool multiline = false;        // some quoted value spans lines
  int error = CSV_OK;
  int error_line = 0;

  // State carried between chunks.
  int line = 1;
  int start_line = 1;
  int nfields = 0;
  int quote_line = 0;
  bool in_quote = false;
  bool after_close = false;
  bool field_start = true;
  bool empty = true;

  void end_record() {
    if (!empty) {
      rec_line.push_back(start_line);
      rec_fields.push_back(nfields + 1);
    } else {
      blank_line.push_back(line);
    }
    nfields = 0;
    field_start = true;
    after_close = false;
    empty = true;
    start_line = line + 1;
  }

  void fail(int code, int at) {
    error = code;
    error_line = at;
  }

  // Feed a chunk; returns false once an error is found.
  bool feed(const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n && error == CSV_OK; ++i) {
      if (!in_quote && !after_close) {
        // Fast path outside quotes: the common bytes in a tight loop; a
        // quote or a NUL goes to the full state machine below.
        for (; i < n; ++i) {
          const unsigned char c = p[i];
          if (c == ',') {
            ++nfields;
            field_start = true;
            empty = false;
          } else if (c == '\n') {
            end_record();
            ++line;
          } else if (c == '"' || c == 0) {
            break;
          } else if (c != '\r' && c != ' ' && c != '\t') {
            field_start = false;
            empty = false;
          }
        }
        if (i == n) break;
      }
      const unsigned char c = p[i];
      if (c == 0) {
        fail(CSV_NUL, line);
      } else if (in_quote) {
        if (c == '"') {
          in_quote = false;
          after_close = true;
        } else if (c == '\n') {
          ++line;
          multiline = true;
        }
      } else if (after_close) {
        if (c == '"') {          // "" inside a quoted value
          in_quote = true;
          after_close = false;
        } else if (c == ',') {
          ++nfields;
          field_start = true;
          after_close = false;
        } else if (c == '\n') {
          end_record();
          ++line;
        } else if (c != '\r' && c != ' ' && c != '\t') {
          fail(CSV_TEXT_AFTER_QUOTE, line);
        }
      } else {  // outside quotes, the fast path stops only at a quote
        if (field_start) {
          in_quote = true;
          quote_line = line;
          field_start = false;
          empty = false;
        } else {
          fail(CSV_STRAY_QUOTE, line);
        }
      }
    }
    return error == CSV_OK;
  }

  // End of input.
  void finish() {
    if (error != CSV_OK) return;
    if (in_quote) {
      fail(CSV_UNCLOSED_QUOTE, quote_line);
      return;
    }
    if (!empty) end_record();
  }
};

// Status of an identifier's bytes: 0 = as is, 1 = white space around it
// (space, tab, CR, LF, or the UTF-8 no-break space C2 A0), 2 = missing
// (empty, all white space, or the text "NA").
inline int id_status(const char* p, std::size_t len) {
  auto ws_at = [&](std::size_t i) -> std::size_t {  // bytes of white space at i, or 0
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
    if (c == 0xC2 && i + 1 < len && static_cast<unsigned char>(p[i + 1]) == 0xA0) return 2;
    return 0;
  };
  if (len == 0) return 2;
  if (len == 2 && p[0] == 'N' && p[1] == 'A') return 2;
  std::size_t i = 0;
  while (i < len) {
    const std::size_t w = ws_at(i);
    if (!w) break;
    i += w;
  }
  if (i >= len) return 2;
  if (i > 0) return 1;
  const unsigned char last = static_cast<unsigned char>(p[len - 1]);
  if (last == ' ' || last == '\t' || last == '\r' || last == '\n') return 1;
  if (len >= 2 && last == 0xA0 && static_cast<unsigned char>(p[len - 2]) == 0xC2) return 1;
  return 0;
}

}  // namespace cscdemand

#endif
