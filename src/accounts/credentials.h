// The secrets behind qpan/accounts.h, over libsodium: password hashes (argon2id), random
// tokens, their stored hashes (BLAKE2b) and the CSRF token derived from a session token.
// Internal to the accounts module; every function is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "qpan/status.h"

namespace qpan::accounts {

// Initialises libsodium once; throws std::runtime_error when it cannot (no usable random
// source: nothing secret can be made then).
void ensure_sodium();

// crypto_pwhash_str with argon2id at the given cost (0, 0 = INTERACTIVE).
struct PasswordCost {
  uint64_t opslimit = 0;
  size_t memlimit = 0;
};
PasswordCost effective_cost(PasswordCost cost);
Result<std::string> hash_password(std::string_view password, PasswordCost cost);
// False also for a malformed hash.
bool verify_password(const std::string& hash, std::string_view password);
// True when `hash` is not argon2id at exactly `cost`.
bool needs_rehash(const std::string& hash, PasswordCost cost);

// Prefix of API tokens: tells them apart from session tokens (and lets secret scanners
// find one pasted where it should not be).
inline constexpr std::string_view kApiTokenPrefix = "qpan_";
inline constexpr size_t kTokenTextSize = 43;  // base64url of 32 bytes, no padding

// 32 random bytes as base64url without padding (43 characters).
std::string random_token();
// True when `text` has the shape random_token() gives: 43 base64url characters.
bool is_token_text(std::string_view text);
// The stored form of a session or API token: hex BLAKE2b-256 of the text.
std::string token_hash(std::string_view token);
// The CSRF token of a session: BLAKE2b-256 keyed with the session token, base64url.
// Precondition: is_token_text(session_token).
std::string csrf_token_for(std::string_view session_token);
// Constant-time equality (the length is not secret).
bool equal_secrets(std::string_view a, std::string_view b);
// Overwrites a string's bytes (best effort: copies made by others are not reached).
void wipe(std::string& secret);

}  // namespace qpan::accounts
