// A test-only PKCS#11 module: every function is the real module's
// (CANDOR_TEST_REAL_PKCS11, default SoftHSM), except that C_Sign flips one
// bit of each signature it returns. Lets the tests show that a token answering
// with a wrong signature is caught before anything is written
// (Signer::Sign, candor/signing_key.h). Never linked into a product.
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <cstdlib>

namespace {

CK_FUNCTION_LIST g_list;
CK_FUNCTION_LIST_PTR g_real = nullptr;

CK_RV CorruptSign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                  CK_BYTE_PTR signature, CK_ULONG_PTR signature_len) {
  CK_RV rv = g_real->C_Sign(session, data, data_len, signature, signature_len);
  if (rv == CKR_OK && signature != nullptr && *signature_len > 0) signature[0] ^= 0x01;
  return rv;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(
    CK_FUNCTION_LIST_PTR_PTR list) {
  if (list == nullptr) return CKR_ARGUMENTS_BAD;
  if (g_real == nullptr) {
    const char* path = std::getenv("CANDOR_TEST_REAL_PKCS11");
    void* lib =
        dlopen(path != nullptr ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) return CKR_GENERAL_ERROR;
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(lib, "C_GetFunctionList"));
    if (get == nullptr || get(&g_real) != CKR_OK) return CKR_GENERAL_ERROR;
    g_list = *g_real;
    g_list.C_GetFunctionList = C_GetFunctionList;
    g_list.C_Sign = CorruptSign;
  }
  *list = &g_list;
  return CKR_OK;
}
