// Password hashing and tokens over libsodium (see credentials.h).
#include "accounts/credentials.h"

#include "qpan/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace qpan::accounts {

void ensure_sodium() {
  // sodium_init() is thread-safe and returns 1 when already initialised.
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

PasswordCost effective_cost(PasswordCost cost) {
  if (cost.opslimit == 0) cost.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  if (cost.memlimit == 0) cost.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  return cost;
}

Result<std::string> hash_password(std::string_view password, PasswordCost cost) {
  ensure_sodium();
  cost = effective_cost(cost);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.opslimit, cost.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::internal("không đủ bộ nhớ để băm mật khẩu — out of memory hashing a password");
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, std::string_view password) {
  ensure_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash, PasswordCost cost) {
  cost = effective_cost(cost);
  // 1: other parameters; -1: not an argon2id hash at all.
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost.opslimit, cost.memlimit) != 0;
}

std::string random_token() {
  ensure_sodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(text);
}

bool is_token_text(std::string_view text) {
  return text.size() == kTokenTextSize && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

std::string token_hash(std::string_view token) {
  ensure_sodium();
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

std::string csrf_token_for(std::string_view session_token) {
  ensure_sodium();
  static constexpr std::string_view kLabel = "qpan csrf token v1";
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(kLabel.data()),
                     kLabel.size(), reinterpret_cast<const unsigned char*>(session_token.data()),
                     session_token.size());
  char text[sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, digest, sizeof digest,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(text);
}

bool equal_secrets(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

}  // namespace qpan::accounts

namespace qpan {

std::optional<BasicCredentials> decode_basic_credentials(std::string_view encoded) {
  constexpr size_t kMaxDecoded = 1024;
  if (encoded.empty() || encoded.size() > kMaxDecoded * 4 / 3 + 4) return std::nullopt;
  std::string decoded(kMaxDecoded, '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(), encoded.data(),
                        encoded.size(), nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    sodium_memzero(decoded.data(), decoded.size());
    return std::nullopt;
  }
  const size_t colon = std::string_view(decoded.data(), length).find(':');
  std::optional<BasicCredentials> out;
  if (colon != std::string_view::npos) out = BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1, length - colon - 1)};
  sodium_memzero(decoded.data(), decoded.size());
  return out;
}

}  // namespace qpan
