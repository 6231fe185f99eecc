// Field parser for CSV text that has passed the structure check (data layer).
// Reads a file in blocks and writes every column as integer codes into a
// dictionary of its distinct values (first-seen order), so that no text is
// kept per row: a value repeated on a million rows is stored once. No R
// types here; missing values are written as INT_MIN (R's NA_integer_).
//
// The value rules are those of the reader it replaces (data.table::fread
// with strip.white = TRUE, na.strings = "NA", every column as text):
// * an unquoted value loses its surrounding spaces (tabs are kept), and the
//   unquoted text NA is missing; an empty value is the empty text;
// * a quoted value is taken as written between its quotes, a doubled quote
//   standing for one quote; spaces or tabs around the quotes are dropped;
//   a quoted "NA" is the text NA;
// * a carriage return ending a line is not part of the last value;
// * a line holding only spaces, tabs or carriage returns is not a record,
//   and the first record (the header) is skipped.
// Records over several lines are not handled here (the caller reads those
// files with another reader): a quote left open at the end of a line stops
// the parse with an error, as does a record whose field count is not the
// header's (the structure check has already ruled both out).
//
// Checked mode (`checked = true`, the fast path): the parser is given the
// file without the structure scan (csv_scan.h), and gives up
// (CSVP_UNCHECKED) at anything the scan would look at: a NUL byte, a quote
// inside an unquoted value, text after a closing quote, a quoted value not
// closed on its line. The caller then runs the scan and the usual parse, so
// a file read on the fast path is exactly what the two passes would read.
#ifndef CSCDEMAND_CSV_PARSE_H
#define CSCDEMAND_CSV_PARSE_H

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <cscdemand/memory.h>

namespace cscdemand {

// The first byte ch in [a, b), or nullptr (none, or an empty range): memchr
// with a length that is never negative.
inline const char* find_byte(const char* a, const char* b, char ch) {
  return a < b ? static_cast<const char*>(std::memchr(a, ch, static_cast<std::size_t>(b - a)))
               : nullptr;
}

// Closes a file when its owner goes (also when an exception passes).
struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

// Whether a block starts with the UTF-8 byte-order mark (not part of the
// first value).
inline bool starts_with_bom(const char* p, std::size_t n) {
  return n >= 3 && static_cast<unsigned char>(p[0]) == 0xEF &&
         static_cast<unsigned char>(p[1]) == 0xBB && static_cast<unsigned char>(p[2]) == 0xBF;
}

// Reads a file in blocks of `size` bytes, the byte-order mark dropped from
// the first, and calls fn(begin, end) on each until it returns false.
// Returns false if the file cannot be opened.
template <class Fn>
bool for_each_block(const char* path, std::size_t size, Fn fn) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path, "rb"));
  if (!f) return false;
  std::vector<char> buf(size);
  bool first = true;
  while (true) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n == 0) break;
    const char* p = buf.data();
    if (first && starts_with_bom(p, n)) p += 3;
    first = false;
    if (!fn(p, buf.data() + n)) break;
  }
  return true;
}

// Distinct byte strings in one arena, found through an open-addressing
// table. Codes are 0-based, in first-seen order. Each slot holds the upper
// half of the value's hash beside its code, so a probe reads the arena only
// when the hashes agree (one cache miss per new value, not one per probe).
class StringDict {
 public:
  StringDict() : table_(1024, 0), mask_(1023) { off_.push_back(0); }

  bool full = false;  // set when the text outgrows 32-bit offsets

  int intern(const char* p, std::size_t len) { return intern(p, len, hash(p, len)); }

  // Asks the processor for the table slot of hash h ahead of time, so that
  // the lookups of several columns of one row wait for memory together.
  void prefetch(std::uint64_t h) const {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(&table_[static_cast<std::size_t>(h) & mask_]);
#else
    (void)h;
#endif
  }

  int intern(const char* p, std::size_t len, std::uint64_t h) {
    const std::uint64_t tag = h >> 32;
    std::size_t slot = static_cast<std::size_t>(h) & mask_;
    while (true) {
      const std::uint64_t e = table_[slot];
      if (e == 0) break;
      if ((e >> 32) == tag) {
        const int k = static_cast<int>((e & 0xffffffffULL) - 1);
        if (equal(k, p, len)) return k;
      }
      slot = (slot + 1) & mask_;
    }
    if (arena_.size() + len > 0xffffffffULL || count() >= 0x7ffffff0ULL) {
      full = true;  // more than 32-bit offsets hold: the caller gives up
      return 0;
    }
    const int k = static_cast<int>(off_.size() - 1);
    arena_.insert(arena_.end(), p, p + len);
    off_.push_back(static_cast<std::uint32_t>(arena_.size()));
    table_[slot] = (tag << 32) | static_cast<std::uint64_t>(k + 1);
    if (count() * 2 > table_.size()) grow(table_.size() * 2);
    return k;
  }

  // Room for about `n` values in all, so that a column of identifiers does
  // not rehash and copy its table and arena many times over.
  void reserve(std::size_t n) {
    if (n <= count()) return;
    const std::size_t per = count() ? arena_.size() / count() + 1 : 8;
    arena_.reserve(n * per);
    advise_huge_pages(arena_.data(), arena_.capacity());
    off_.reserve(n + 1);
    advise_huge_pages(off_.data(), off_.capacity() * sizeof(std::uint32_t));
    std::size_t want = table_.size();
    while (want < 2 * n) want *= 2;
    if (want > table_.size()) grow(want);
  }

  bool equal(int k, const char* p, std::size_t len) const {
    return size(k) == len && (len == 0 || std::memcmp(data(k), p, len) == 0);
  }
  const char* data(int k) const { return arena_.data() + off_[k]; }
  std::size_t size(int k) const { return off_[k + 1] - off_[k]; }
  // Keep only the strings (the lookup table is not needed after parsing).
  void freeze() {
    std::vector<std::uint64_t>().swap(table_);
    arena_.shrink_to_fit();
    off_.shrink_to_fit();
  }
  std::size_t count() const { return off_.size() - 1; }
  void clear() {
    std::vector<char>().swap(arena_);
    std::vector<std::uint32_t>().swap(off_);
    std::vector<std::uint64_t>().swap(table_);
  }

 private:
  std::vector<char> arena_;
  std::vector<std::uint32_t> off_;  // 32-bit: a column's distinct text is < 4 GB
  std::vector<std::uint64_t> table_;  // (hash >> 32) << 32 | (code + 1); 0 = empty
  std::size_t mask_;


 public:
  static std::uint64_t hash(const char* p, std::size_t len) {
    std::uint64_t h = 1469598103934665603ULL ^ len;
    for (std::size_t i = 0; i < len; ++i) {
      h ^= static_cast<unsigned char>(p[i]);
      h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
  }

 private:
  // A larger table (a power of two). The slot of a value needs its full
  // hash, so it is computed again from the arena (sequential reads).
  void grow(std::size_t slots) {
    std::vector<std::uint64_t> t;
    t.reserve(slots);
    advise_huge_pages(t.data(), slots * sizeof(std::uint64_t));  // before it is filled
    t.assign(slots, 0);
    const std::size_t m = t.size() - 1;
    const std::size_t n = count();
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint64_t h = hash(data(static_cast<int>(k)), size(static_cast<int>(k)));
      std::size_t slot = static_cast<std::size_t>(h) & m;
      while (t[slot] != 0) slot = (slot + 1) & m;
      t[slot] = ((h >> 32) << 32) | static_cast<std::uint64_t>(k + 1);
    }
    table_.swap(t);
    mask_ = m;
  }
};

enum CsvParseError {
  CSVP_OK = 0,
  CSVP_OPEN = 1,       // the file cannot be opened
  CSVP_MULTILINE = 2,  // a quoted value over several lines
  CSVP_FIELDS = 3,     // a record whose field count is not the header's
  CSVP_ROWS = 4,       // more or fewer records than expected
  CSVP_TOO_BIG = 5,    // a column's distinct text over 4 GB
  CSVP_UNCHECKED = 6   // checked mode: the file needs the structure scan
};

// The field count of a line (without its line end) as the structure scan
// would count it, or -1 when the scan would have to look at it: a quote
// inside an unquoted value, text after a closing quote, an unclosed quote.
inline int checked_field_count(const char* p, const char* end) {
  int n = 1;
  bool field_start = true;
  for (const char* s = p; s < end; ++s) {
    const char c = *s;
    if (c == ',') {
      ++n;
      field_start = true;
    } else if (c == '"') {
      if (!field_start) return -1;
      const char* q = s + 1;
      while (true) {  // the closing quote ("" stands for one quote)
        q = find_byte(q, end, '"');
        if (!q) return -1;
        if (q + 1 < end && q[1] == '"') {
          q += 2;
          continue;
        }
        break;
      }
      s = q + 1;
      while (s < end && (*s == ' ' || *s == '\t' || *s == '\r')) ++s;
      if (s < end && *s != ',') return -1;
      if (s == end) break;
      ++n;
      field_start = true;
    } else if (c == 0) {
      return -1;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      field_start = false;
    }
  }
  return n;
}

// The first pass of the fast path: physical lines, and the header (the
// first line that is not blank) with its field count. One read of the file
// in blocks, counting line ends with memchr.
struct CsvPrepass {
  std::size_t bytes = 0;        // bytes read (after a byte-order mark)
  std::size_t lines = 0;        // physical lines (a last line without a line end counts)
  std::size_t header_line = 0;  // 1-based; 0 = none
  int header_fields = -1;       // -1: the header needs the structure scan

  bool run(const char* path) {
    std::string cur;  // the current line while the header is not found
    bool ends_nl = true;
    const bool opened = for_each_block(path, std::size_t(1) << 22, [&](const char* p,
                                                                       const char* end) {
      bytes += static_cast<std::size_t>(end - p);
      if (p < end) ends_nl = end[-1] == '\n';
      while (p < end) {
        const char* nl = find_byte(p, end, '\n');
        if (!header_line) cur.append(p, nl ? nl : end);
        if (!nl) break;
        ++lines;
        if (!header_line) take_line(cur);
        p = nl + 1;
      }
      return true;
    });
    if (!opened) return false;
    if (!ends_nl) {
      ++lines;
      if (!header_line) take_line(cur);
    }
    return true;
  }

 private:
  void take_line(std::string& cur) {
    const char* p = cur.data();
    const char* end = p + cur.size();
    const char* q = p;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
    if (q < end) {
      header_line = lines;
      if (end > p && end[-1] == '\r') --end;
      header_fields = checked_field_count(p, end);
    }
    cur.clear();
  }
};

// The text of physical lines first..last (1-based, split at line feeds
// only, as the scan counts them; a byte-order mark at the start dropped),
// joined by line feeds. Returns false if the file cannot be read.
inline bool read_line_range(const char* path, std::size_t first, std::size_t last,
                            std::string& out) {
  out.clear();
  std::size_t line = 1;
  return for_each_block(path, std::size_t(1) << 16, [&](const char* p, const char* end) {
    while (p < end && line <= last) {
      const char* nl = find_byte(p, end, '\n');
      if (line >= first) out.append(p, nl ? nl : end);
      if (!nl) break;
      if (line >= first && line < last) out.push_back('\n');
      ++line;
      p = nl + 1;
    }
    return line <= last;
  });
}

class CsvColumnParser {
 public:
  // `out[c]` must hold `nrow` ints: the 1-based code of each row's value in
  // dictionary c, or INT_MIN when missing.
  CsvColumnParser(std::size_t ncol, std::size_t nrow, std::vector<int*> out)
      : dicts(ncol), ncol_(ncol), nrow_(nrow), out_(out), last_(ncol, -1), fields_(ncol),
        scratch_(ncol) {}

  std::vector<StringDict> dicts;
  int error = CSVP_OK;
  std::size_t line = 0;  // physical line of the error
  bool checked = false;  // the fast path: see the top of this file
  std::vector<int> blank_lines;  // checked mode: physical lines with no content
  std::size_t rows() const { return row_; }

  // Called after each block with the bytes read so far (progress, and a
  // check for an interrupt, which may throw: the file is closed by its
  // owner and every buffer is freed as the exception passes).
  std::function<void(std::size_t)> on_block;

  bool parse_file(const char* path) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path, "rb"));
    std::FILE* f = file.get();
    if (!f) return fail(CSVP_OPEN);
    std::vector<char> buf(std::size_t(1) << 22);
    std::size_t have = 0, done = 0;
    bool first = true;
    while (error == CSVP_OK) {
      if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the block
      const std::size_t n = std::fread(buf.data() + have, 1, buf.size() - have, f);
      done += n;
      if (on_block && n) on_block(done);
      const bool eof = n == 0;
      if (checked && n && find_byte(buf.data() + have, buf.data() + have + n, '\0')) {
        fail(CSVP_UNCHECKED);  // a NUL byte: the scan names its line
        break;
      }
      std::size_t start = 0;
      have += n;
      if (first && starts_with_bom(buf.data(), have)) start = 3;
      first = false;
      std::size_t pos = start;
      while (error == CSVP_OK) {
        const char* nl = find_byte(buf.data() + pos, buf.data() + have, '\n');
        if (!nl) break;
        const std::size_t e = static_cast<std::size_t>(nl - buf.data());
        parse_line(buf.data() + pos, buf.data() + e);
        pos = e + 1;
      }
      if (eof) {
        if (error == CSVP_OK && pos < have) parse_line(buf.data() + pos, buf.data() + have);
        break;
      }
      std::memmove(buf.data(), buf.data() + pos, have - pos);
      have -= pos;
    }
    file.reset();
    for (const StringDict& d : dicts) {
      if (error == CSVP_OK && d.full) fail(CSVP_TOO_BIG);
    }
    if (error == CSVP_OK && (checked ? row_ > nrow_ : row_ != nrow_)) return fail(CSVP_ROWS);
    return error == CSVP_OK;
  }

 private:
  std::size_t ncol_, nrow_;
  std::vector<int*> out_;
  std::vector<int> last_;  // code of the value in the row before, per column
  // The current row's values: text (in the line, or in scratch_ for a
  // quoted value), missing or not, and hash when it must be looked up.
  struct Field {
    const char* p = nullptr;
    std::size_t len = 0;
    bool na = false;
    bool lookup = false;
    std::uint64_t h = 0;
  };
  std::vector<Field> fields_;
  std::vector<std::string> scratch_;
  std::size_t row_ = 0;
  bool header_seen_ = false;

  bool fail(int code) {
    error = code;
    return false;
  }

  // Once 65,536 rows are read, a column with many distinct values so far
  // (identifiers) gets room for as many again per row in the rest of the file.
  void reserve_dicts() {
    for (StringDict& d : dicts) {
      if (d.count() < 4096) continue;
      const double per_row = static_cast<double>(d.count()) / static_cast<double>(row_);
      d.reserve(static_cast<std::size_t>(per_row * static_cast<double>(nrow_) * 1.1) + 1024);
    }
  }

  void put(std::size_t c, const char* p, std::size_t len) {
    Field& f = fields_[c];
    f.p = p;
    f.len = len;
    f.na = false;
  }

  // Codes of the row's values: a value equal to the row before's reuses its
  // code; the others are hashed and their slots prefetched first, then
  // looked up.
  void flush() {
    for (std::size_t c = 0; c < ncol_; ++c) {
      Field& f = fields_[c];
      f.lookup = false;
      if (f.na) {
        out_[c][row_] = INT_MIN;
        continue;
      }
      const int k = last_[c];
      if (k >= 0 && dicts[c].equal(k, f.p, f.len)) {
        out_[c][row_] = k + 1;
        continue;
      }
      f.h = StringDict::hash(f.p, f.len);
      f.lookup = true;
      dicts[c].prefetch(f.h);
    }
    for (std::size_t c = 0; c < ncol_; ++c) {
      Field& f = fields_[c];
      if (!f.lookup) continue;
      const int k = dicts[c].intern(f.p, f.len, f.h);
      last_[c] = k;
      out_[c][row_] = k + 1;
    }
  }

  void parse_line(const char* p, const char* end) {
    ++line;
    if (end > p && end[-1] == '\r') --end;
    const char* q = p;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
    if (q == end) {  // blank: not a record
      if (checked) blank_lines.push_back(static_cast<int>(line));
      return;
    }
    if (!header_seen_) {
      header_seen_ = true;
      return;
    }
    if (row_ >= nrow_) {
      fail(CSVP_ROWS);
      return;
    }
    // Checked mode: a line with a quote is checked as the scan would;
    // a line without one cannot hold a quoting error.
    const bool quoted = checked && find_byte(p, end, '"');
    std::size_t c = 0;
    const char* pos = p;
    while (true) {
      if (c >= ncol_) {
        fail(CSVP_FIELDS);
        return;
      }
      const char* s = pos;
      while (s < end && (*s == ' ' || *s == '\t')) ++s;
      const char* next;  // the comma ending this field, or end
      if (s < end && *s == '"') {
        std::string& sc = scratch_[c];
        sc.clear();
        ++s;
        while (true) {
          const char* qq = find_byte(s, end, '"');
          if (!qq) {
            fail(CSVP_MULTILINE);
            return;
          }
          sc.append(s, qq);
          if (qq + 1 < end && qq[1] == '"') {
            sc.push_back('"');
            s = qq + 2;
          } else {
            s = qq + 1;
            break;
          }
        }
        next = find_byte(s, end, ',');
        if (!next) next = end;
        if (quoted) {  // only spaces, tabs, carriage returns after the quote
          for (const char* t = s; t < next; ++t) {
            if (*t != ' ' && *t != '\t' && *t != '\r') {
              fail(CSVP_UNCHECKED);
              return;
            }
          }
        }
        put(c, sc.data(), sc.size());
      } else {
        next = find_byte(pos, end, ',');
        if (!next) next = end;
        if (quoted && find_byte(pos, next, '"')) {  // a quote inside an unquoted value
          fail(CSVP_UNCHECKED);
          return;
        }
        const char* a = pos;
        const char* b = next;
        while (a < b && *a == ' ') ++a;
        while (b > a && b[-1] == ' ') --b;
        if (b - a == 2 && a[0] == 'N' && a[1] == 'A') {
          fields_[c].na = true;
        } else {
          put(c, a, static_cast<std::size_t>(b - a));
        }
      }
      ++c;
      if (next == end) break;
      pos = next + 1;
    }
    if (c != ncol_) {
      fail(CSVP_FIELDS);
      return;
    }
    flush();
    ++row_;
    if (row_ == 65536 && nrow_ > 2 * row_) reserve_dicts();
  }
};

}  // namespace cscdemand

#endif
