// Files separated by tabs, semicolons or bars, rewritten as comma-separated
// text for the CSV reader (data layer). Excel in many locales saves ";"
// files, and database and case-system exports often use tabs. The rewrite
// keeps every line break where it was, so the reader's line numbers are the
// original file's, and changes only what the separator changes:
// * a separator outside quotes becomes a comma;
// * an unquoted value that holds a comma is quoted (it has no quote, since a
//   quote inside an unquoted value is left as it is, for the structure scan
//   to report on its line, as in a comma file);
// * quoted values are copied unchanged, and so is text after a closing
//   quote (an error the scan reports), a comma in it written as ";".
// No R types here.
#ifndef CSCDEMAND_CSV_DELIM_H
#define CSCDEMAND_CSV_DELIM_H

#include <cstddef>
#include <string>

namespace cscdemand {

class CsvRedelimiter {
 public:
  explicit CsvRedelimiter(char delim) : delim_(delim) {}

  // Rewrites a block (the state carries over to the next), appending to
  // `out`.
  void feed(const char* p, const char* end, std::string& out) {
    for (; p < end; ++p) {
      const char c = *p;
      switch (state_) {
        case kFieldStart:
          if (c == ' ' || (c == '\t' && delim_ != '\t')) {  // spaces before a value
            out.push_back(c);
            break;
          }
          if (c == '"') {
            out.push_back(c);
            state_ = kQuoted;
            break;
          }
          state_ = kUnquoted;
          field_.clear();
          has_comma_ = has_quote_ = false;
          // fall through: the byte belongs to the unquoted value
          [[fallthrough]];
        case kUnquoted:
          if (c == delim_ || c == '\n') {
            flush_field(out);
            out.push_back(c == delim_ ? ',' : '\n');
            state_ = kFieldStart;
          } else {
            has_comma_ = has_comma_ || c == ',';
            has_quote_ = has_quote_ || c == '"';
            field_.push_back(c);
          }
          break;
        case kQuoted:
          out.push_back(c);
          if (c == '"') state_ = kAfterQuote;
          break;
        case kAfterQuote:  // "" inside a quoted value, or the value's end
          if (c == '"') {
            out.push_back(c);
            state_ = kQuoted;
          } else if (c == delim_ || c == '\n') {
            out.push_back(c == delim_ ? ',' : '\n');
            state_ = kFieldStart;
          } else {
            // text after the closing quote: copied for the scan to report on
            // its line; a comma, which would be a separator in the copy (and
            // could pass as one where a field is missing), as a semicolon
            out.push_back(c == ',' ? ';' : c);
          }
          break;
      }
    }
  }

  // The last value of a file with no final line break.
  void finish(std::string& out) {
    if (state_ == kUnquoted) flush_field(out);
    state_ = kFieldStart;
  }

 private:
  enum State { kFieldStart, kUnquoted, kQuoted, kAfterQuote };

  void flush_field(std::string& out) {
    const bool quote = has_comma_ && !has_quote_;
    if (quote) out.push_back('"');
    // a carriage return before the line break stays outside the quotes
    std::size_t n = field_.size();
    const bool cr = quote && n > 0 && field_[n - 1] == '\r';
    if (cr) --n;
    out.append(field_, 0, n);
    if (quote) out.push_back('"');
    if (cr) out.push_back('\r');
    field_.clear();
  }

  char delim_;
  State state_ = kFieldStart;
  std::string field_;
  bool has_comma_ = false, has_quote_ = false;
};

// The separator of a header line (text up to its line break): the byte of
// ",", "\t", ";", "|" found most often outside quotes, a comma when there is
// one at all (a comma file), and a comma when none is found.
inline char header_delimiter(const char* p, const char* end) {
  std::size_t n_comma = 0, n_tab = 0, n_semi = 0, n_bar = 0;
  bool in_quote = false;
  for (; p < end && (in_quote || *p != '\n'); ++p) {
    const char c = *p;
    if (c == '"') {
      in_quote = !in_quote;
    } else if (!in_quote) {
      n_comma += c == ',';
      n_tab += c == '\t';
      n_semi += c == ';';
      n_bar += c == '|';
    }
  }
  if (n_comma > 0) return ',';
  if (n_tab >= n_semi && n_tab >= n_bar && n_tab > 0) return '\t';
  if (n_semi >= n_bar && n_semi > 0) return ';';
  if (n_bar > 0) return '|';
  return ',';
}

}  // namespace cscdemand

#endif
