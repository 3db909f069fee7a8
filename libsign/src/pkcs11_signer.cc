// PKCS#11 Ed25519 signers and on-token key generation (candor/pkcs11_signer.h).
// p11-kit parses the RFC 7512 URI and loads the module; this file finds the
// token and key and calls C_Sign / C_GenerateKeyPair.
#include "candor/pkcs11_signer.h"

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "candor/fs/read_file.h"

namespace candor {
namespace {

// CKA_EC_PARAMS of Ed25519 (PKCS#11 3.0 §2.3.10): the curve name as a DER
// PrintableString (what SoftHSM and OpenSC write), or the RFC 8410 OID 1.3.101.112.
constexpr uint8_t kEd25519Name[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
                                    'd',  's',  '2', '5', '5', '1', '9'};
constexpr uint8_t kEd25519Oid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
constexpr size_t kMaxPinSize = 256;

std::string RvText(CK_RV rv) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKR 0x%lx", static_cast<unsigned long>(rv));
  return buf;
}

Status RvStatus(std::string_view what, CK_RV rv) {
  switch (rv) {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
      return Status::InvalidArgument("PKCS#11: wrong PIN");
    case CKR_PIN_LOCKED:
      return Status::InvalidArgument("PKCS#11: the token's PIN is locked");
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_DEVICE_REMOVED:
      return Status::NotFound("PKCS#11: token not present");
    case CKR_MECHANISM_INVALID:
      return Status::InvalidArgument(std::string("PKCS#11: ") + std::string(what) +
                                     ": the token does not support Ed25519 (CKM_EDDSA)");
    default:
      return Status::Io(std::string("PKCS#11: ") + std::string(what) + " failed: " + RvText(rv));
  }
}

// An attribute's bytes (empty when absent or unreadable).
Bytes GetAttribute(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                   CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a{type, nullptr, 0};
  if (f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION ||
      a.ulValueLen > 4096) {
    return {};
  }
  Bytes v(a.ulValueLen);
  a.pValue = v.data();
  if (f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK) return {};
  v.resize(a.ulValueLen);
  return v;
}

bool IsEd25519Params(const Bytes& p) {
  return (p.size() == sizeof kEd25519Name && std::memcmp(p.data(), kEd25519Name, p.size()) == 0) ||
         (p.size() == sizeof kEd25519Oid && std::memcmp(p.data(), kEd25519Oid, p.size()) == 0);
}

// CKA_EC_POINT of an Edwards key: the 32 raw bytes, DER-wrapped in an OCTET
// STRING by most modules (SoftHSM), raw by some.
Result<std::array<uint8_t, 32>> EdwardsPoint(const Bytes& point) {
  std::array<uint8_t, 32> pk{};
  const uint8_t* p = nullptr;
  if (point.size() == 34 && point[0] == 0x04 && point[1] == 0x20) {
    p = point.data() + 2;
  } else if (point.size() == 32) {
    p = point.data();
  } else {
    return Status::InvalidArgument(
        "PKCS#11: the public key's CKA_EC_POINT is not an Ed25519 point");
  }
  std::copy(p, p + 32, pk.begin());
  return pk;
}

struct UriDeleter {
  void operator()(P11KitUri* u) const { p11_kit_uri_free(u); }
};
using UriPtr = std::unique_ptr<P11KitUri, UriDeleter>;

// A wiped PIN buffer.
struct Pin {
  std::string value;
  bool present = false;
  ~Pin() { sodium_memzero(value.data(), value.size()); }
};

Result<UriPtr> ParseUri(std::string_view text) {
  UriPtr uri(p11_kit_uri_new());
  if (!uri) return Status::Internal("out of memory");
  const std::string s(text);
  const int rc = p11_kit_uri_parse(s.c_str(), P11_KIT_URI_FOR_ANY, uri.get());
  if (rc != P11_KIT_URI_OK) {
    return Status::Malformed(std::string("PKCS#11 URI: ") + p11_kit_uri_message(rc));
  }
  if (p11_kit_uri_get_pin_value(uri.get()) != nullptr) {
    return Status::InvalidArgument(
        "PKCS#11 URI: pin-value is refused (a PIN in a URI ends up in shell history and process "
        "listings); use pin-source=file:PATH or the CANDOR_PKCS11_PIN environment variable");
  }
  return uri;
}

Result<Pin> ReadPin(const P11KitUri* uri) {
  Pin pin;
  if (const char* src = p11_kit_uri_get_pin_source(uri)) {
    std::string_view path(src);
    if (path.substr(0, 5) == "file:") path.remove_prefix(5);
    if (path.empty() || path[0] != '/') {
      return Status::InvalidArgument("PKCS#11 URI: pin-source must be file:/ABSOLUTE/PATH");
    }
    Result<std::string> text = fs::ReadFile(std::string(path), kMaxPinSize);
    if (!text.ok()) return text.status().WithContext("PKCS#11 pin-source");
    pin.value = std::move(text).value();
    while (!pin.value.empty() && (pin.value.back() == '\n' || pin.value.back() == '\r')) {
      pin.value.pop_back();
    }
    pin.present = true;
  } else if (const char* env = std::getenv(kPkcs11PinEnv)) {
    pin.value = env;
    pin.present = true;
  }
  return pin;
}

// The loaded module(s) and one logged-in session on the token the URI names.
class Session {
 public:
  ~Session() {
    if (open_) f_->C_CloseSession(session_);
    if (single_ != nullptr) {
      p11_kit_module_finalize(single_);
      p11_kit_module_release(single_);
    }
    if (modules_ != nullptr) p11_kit_modules_finalize_and_release(modules_);
  }

  static Result<std::unique_ptr<Session>> Open(P11KitUri* uri, bool read_write) {
    std::unique_ptr<Session> s(new Session());
    CANDOR_RETURN_IF_ERROR(s->LoadModules(uri));
    CANDOR_RETURN_IF_ERROR(s->FindToken(uri));
    CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
    CK_RV rv = s->f_->C_OpenSession(s->slot_, flags, nullptr, nullptr, &s->session_);
    if (rv != CKR_OK) return RvStatus("C_OpenSession", rv);
    s->open_ = true;
    CANDOR_ASSIGN_OR_RETURN(Pin pin, ReadPin(uri));
    if (!pin.present) {
      if (s->login_required_) {
        return Status::InvalidArgument("PKCS#11: token " + s->token_ +
                                       " needs a PIN: set CANDOR_PKCS11_PIN or the URI's "
                                       "pin-source=file:PATH");
      }
    } else {
      rv = s->f_->C_Login(s->session_, CKU_USER,
                          reinterpret_cast<CK_UTF8CHAR_PTR>(pin.value.data()), pin.value.size());
      if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        return RvStatus("C_Login", rv).WithContext("token " + s->token_);
      }
    }
    return s;
  }

  CK_FUNCTION_LIST* f() const { return f_; }
  CK_SESSION_HANDLE handle() const { return session_; }
  const std::string& token() const { return token_; }

  // Objects matching `attrs`; at most `max`.
  Result<std::vector<CK_OBJECT_HANDLE>> Find(std::vector<CK_ATTRIBUTE> attrs, size_t max) {
    CK_RV rv = f_->C_FindObjectsInit(session_, attrs.data(), attrs.size());
    if (rv != CKR_OK) return RvStatus("C_FindObjectsInit", rv);
    std::vector<CK_OBJECT_HANDLE> found(max);
    CK_ULONG n = 0;
    rv = f_->C_FindObjects(session_, found.data(), found.size(), &n);
    f_->C_FindObjectsFinal(session_);
    if (rv != CKR_OK) return RvStatus("C_FindObjects", rv);
    found.resize(n);
    return found;
  }

 private:
  Session() = default;

  Status LoadModules(P11KitUri* uri) {
    if (const char* path = p11_kit_uri_get_module_path(uri)) {
      if (::access(path, R_OK) != 0) {
        return Status::NotFound(std::string("PKCS#11 module ") + path + " does not exist");
      }
      single_ = p11_kit_module_load(path, 0);
      if (single_ == nullptr) {
        return Status::Io(std::string("PKCS#11 module ") + path + " cannot be loaded: " +
                          (p11_kit_message() ? p11_kit_message() : "unknown error"));
      }
      CK_RV rv = p11_kit_module_initialize(single_);
      if (rv != CKR_OK) {
        p11_kit_module_release(single_);
        single_ = nullptr;
        return RvStatus("C_Initialize", rv);
      }
      candidates_.push_back(single_);
      return Status::Ok();
    }
    modules_ = p11_kit_modules_load_and_initialize(0);
    for (CK_FUNCTION_LIST** m = modules_; m != nullptr && *m != nullptr; ++m) {
      CK_INFO info;
      if ((*m)->C_GetInfo(&info) == CKR_OK && p11_kit_uri_match_module_info(uri, &info)) {
        candidates_.push_back(*m);
      }
    }
    if (candidates_.empty()) {
      return Status::NotFound(
          "no PKCS#11 module: add module-path=/path/to/module.so to the URI or configure one "
          "for p11-kit");
    }
    return Status::Ok();
  }

  Status FindToken(P11KitUri* uri) {
    std::string seen;
    for (CK_FUNCTION_LIST* f : candidates_) {
      CK_ULONG n = 0;
      if (f->C_GetSlotList(CK_TRUE, nullptr, &n) != CKR_OK || n == 0) continue;
      std::vector<CK_SLOT_ID> slots(n);
      if (f->C_GetSlotList(CK_TRUE, slots.data(), &n) != CKR_OK) continue;
      slots.resize(n);
      for (CK_SLOT_ID slot : slots) {
        CK_TOKEN_INFO info;
        if (f->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
        std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
        label.erase(label.find_last_not_of(' ') + 1);
        if (!p11_kit_uri_match_token_info(uri, &info)) {
          seen += (seen.empty() ? "" : ", ") + label;
          continue;
        }
        f_ = f;
        slot_ = slot;
        token_ = label;
        login_required_ = (info.flags & CKF_LOGIN_REQUIRED) != 0;
        return Status::Ok();
      }
    }
    return Status::NotFound("no PKCS#11 token matches the URI (tokens present: " +
                            (seen.empty() ? std::string("none") : seen) + ")");
  }

  CK_FUNCTION_LIST* single_ = nullptr;
  CK_FUNCTION_LIST** modules_ = nullptr;
  std::vector<CK_FUNCTION_LIST*> candidates_;
  CK_FUNCTION_LIST* f_ = nullptr;
  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE session_ = 0;
  bool open_ = false;
  bool login_required_ = false;
  std::string token_;
};

// The URI's object attributes (object=, id=), without its type=.
std::vector<CK_ATTRIBUTE> ObjectAttributes(P11KitUri* uri) {
  CK_ULONG n = 0;
  CK_ATTRIBUTE_PTR attrs = p11_kit_uri_get_attributes(uri, &n);
  std::vector<CK_ATTRIBUTE> out;
  for (CK_ULONG i = 0; i < n; ++i) {
    if (attrs[i].type != CKA_CLASS) out.push_back(attrs[i]);
  }
  return out;
}

class Pkcs11Signer final : public Signer {
 public:
  Pkcs11Signer(std::unique_ptr<Session> session, CK_OBJECT_HANDLE key, VerifierKey pub)
      : session_(std::move(session)), key_(key), public_key_(std::move(pub)) {}
  const VerifierKey& public_key() const override { return public_key_; }

 protected:
  Result<Bytes> SignUnverified(ByteView message) const override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_FUNCTION_LIST* f = session_->f();
    CK_MECHANISM mech{CKM_EDDSA, nullptr, 0};
    CK_RV rv = f->C_SignInit(session_->handle(), &mech, key_);
    if (rv != CKR_OK) return RvStatus("C_SignInit", rv);
    Bytes sig(64);
    CK_ULONG len = sig.size();
    rv = f->C_Sign(session_->handle(), const_cast<CK_BYTE_PTR>(message.data()), message.size(),
                   sig.data(), &len);
    if (rv != CKR_OK) return RvStatus("C_Sign", rv);
    sig.resize(std::min<size_t>(len, sig.size()));
    return sig;
  }

 private:
  mutable std::mutex mu_;  // one operation at a time on the session
  std::unique_ptr<Session> session_;
  CK_OBJECT_HANDLE key_;
  VerifierKey public_key_;
};

}  // namespace

Result<std::unique_ptr<Signer>> OpenPkcs11Signer(std::string_view uri_text, uint8_t key_type) {
  if (sodium_init() < 0) return Status::Internal("libsodium initialisation failed");
  CANDOR_ASSIGN_OR_RETURN(UriPtr uri, ParseUri(uri_text));
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(uri.get(), false));
  CK_OBJECT_CLASS priv_class = CKO_PRIVATE_KEY;
  std::vector<CK_ATTRIBUTE> want = ObjectAttributes(uri.get());
  want.push_back({CKA_CLASS, &priv_class, sizeof priv_class});
  CANDOR_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> keys, s->Find(want, 2));
  const std::string where = "token " + s->token();
  if (keys.empty()) {
    return Status::NotFound("PKCS#11: no private key on " + where +
                            " matches the URI (a wrong object= or id=, or a missing PIN)");
  }
  if (keys.size() > 1) {
    return Status::InvalidArgument("PKCS#11: the URI matches several private keys on " + where +
                                   "; name one with object= or id=");
  }
  CK_FUNCTION_LIST* f = s->f();
  const Bytes type = GetAttribute(f, s->handle(), keys[0], CKA_KEY_TYPE);
  CK_KEY_TYPE kt = 0;
  if (type.size() == sizeof kt) std::memcpy(&kt, type.data(), sizeof kt);
  const Bytes label_bytes = GetAttribute(f, s->handle(), keys[0], CKA_LABEL);
  const std::string label(label_bytes.begin(), label_bytes.end());
  if (type.size() != sizeof kt || kt != CKK_EC_EDWARDS) {
    return Status::InvalidArgument("PKCS#11: key " + label + " on " + where +
                                   " is not an Ed25519 key (CKK_EC_EDWARDS)");
  }
  if (!IsValidKeyName(label)) {
    return Status::InvalidArgument("PKCS#11: the key's label '" + label +
                                   "' is not a signed-note key name");
  }
  // The public half: same label and CKA_ID.
  Bytes id = GetAttribute(f, s->handle(), keys[0], CKA_ID);
  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY;
  std::vector<CK_ATTRIBUTE> pub_want = {
      {CKA_CLASS, &pub_class, sizeof pub_class},
      {CKA_LABEL, const_cast<uint8_t*>(label_bytes.data()), label_bytes.size()},
      {CKA_ID, id.data(), id.size()}};
  CANDOR_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> pubs, s->Find(pub_want, 1));
  if (pubs.empty()) {
    return Status::NotFound("PKCS#11: key " + label + " on " + where +
                            " has no public key object with its label and id");
  }
  if (!IsEd25519Params(GetAttribute(f, s->handle(), pubs[0], CKA_EC_PARAMS))) {
    return Status::InvalidArgument("PKCS#11: key " + label + " on " + where +
                                   " is an Edwards key but not Ed25519");
  }
  CANDOR_ASSIGN_OR_RETURN(auto point,
                          EdwardsPoint(GetAttribute(f, s->handle(), pubs[0], CKA_EC_POINT)));
  return std::unique_ptr<Signer>(
      new Pkcs11Signer(std::move(s), keys[0], MakeVerifierKey(label, key_type, point)));
}

Result<VerifierKey> GeneratePkcs11Key(std::string_view uri_text, std::string_view name,
                                      uint8_t key_type) {
  if (sodium_init() < 0) return Status::Internal("libsodium initialisation failed");
  if (!IsValidKeyName(name)) return Status::InvalidArgument("invalid key name");
  CANDOR_ASSIGN_OR_RETURN(UriPtr uri, ParseUri(uri_text));
  for (const CK_ATTRIBUTE& a : ObjectAttributes(uri.get())) {
    if (a.type == CKA_LABEL &&
        std::string_view(static_cast<const char*>(a.pValue), a.ulValueLen) != name) {
      return Status::InvalidArgument(
          "the URI's object= must be the key name (--name) or absent: the label names the key");
    }
    if (a.type == CKA_ID) {
      return Status::InvalidArgument("the URI for keygen must not carry id= (a random one is set)");
    }
  }
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(uri.get(), true));
  CK_FUNCTION_LIST* f = s->f();
  std::string label(name);
  CK_ATTRIBUTE by_label{CKA_LABEL, label.data(), label.size()};
  CANDOR_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> existing, s->Find({by_label}, 1));
  if (!existing.empty()) {
    return Status::Conflict("PKCS#11: token " + s->token() + " already holds an object labelled " +
                            label);
  }
  uint8_t id[8];
  randombytes_buf(id, sizeof id);
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  std::vector<uint8_t> params(std::begin(kEd25519Name), std::end(kEd25519Name));
  CK_ATTRIBUTE pub_tmpl[] = {{CKA_TOKEN, &yes, sizeof yes},
                             {CKA_VERIFY, &yes, sizeof yes},
                             {CKA_LABEL, label.data(), label.size()},
                             {CKA_ID, id, sizeof id},
                             {CKA_EC_PARAMS, params.data(), params.size()}};
  CK_ATTRIBUTE priv_tmpl[] = {{CKA_TOKEN, &yes, sizeof yes},
                              {CKA_PRIVATE, &yes, sizeof yes},
                              {CKA_SENSITIVE, &yes, sizeof yes},
                              {CKA_EXTRACTABLE, &no, sizeof no},
                              {CKA_SIGN, &yes, sizeof yes},
                              {CKA_LABEL, label.data(), label.size()},
                              {CKA_ID, id, sizeof id}};
  CK_MECHANISM mech{CKM_EC_EDWARDS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE pub_h = 0, priv_h = 0;
  CK_RV rv = f->C_GenerateKeyPair(s->handle(), &mech, pub_tmpl, std::size(pub_tmpl), priv_tmpl,
                                  std::size(priv_tmpl), &pub_h, &priv_h);
  if (rv == CKR_CURVE_NOT_SUPPORTED || rv == CKR_ATTRIBUTE_VALUE_INVALID ||
      rv == CKR_DOMAIN_PARAMS_INVALID) {
    // Some modules know Ed25519 by its RFC 8410 OID only.
    params.assign(std::begin(kEd25519Oid), std::end(kEd25519Oid));
    pub_tmpl[4] = {CKA_EC_PARAMS, params.data(), params.size()};
    rv = f->C_GenerateKeyPair(s->handle(), &mech, pub_tmpl, std::size(pub_tmpl), priv_tmpl,
                              std::size(priv_tmpl), &pub_h, &priv_h);
  }
  if (rv != CKR_OK) {
    if (rv == CKR_MECHANISM_INVALID) {
      return Status::InvalidArgument("PKCS#11: token " + s->token() +
                                     " cannot generate Ed25519 keys (CKM_EC_EDWARDS_KEY_PAIR_GEN)");
    }
    return RvStatus("C_GenerateKeyPair", rv).WithContext("token " + s->token());
  }
  auto point = EdwardsPoint(GetAttribute(f, s->handle(), pub_h, CKA_EC_POINT));
  if (!point.ok()) {
    f->C_DestroyObject(s->handle(), priv_h);
    f->C_DestroyObject(s->handle(), pub_h);
    return point.status();
  }
  return MakeVerifierKey(label, key_type, *point);
}

}  // namespace candor
