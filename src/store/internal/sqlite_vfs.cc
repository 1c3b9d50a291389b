#include "store/internal/sqlite_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

namespace aidtrace::store::internal {
namespace {

struct ShimVfs {
  sqlite3_vfs vfs;
  sqlite3_vfs* real;
  Env* env;
  std::string name;
  int refs;
};

struct ShimFile {
  sqlite3_file base;  // must be first
  sqlite3_file* real;
  Env* env;
  const char* path;  // owned by SQLite, valid until close
};

ShimVfs* Shim(sqlite3_vfs* v) { return static_cast<ShimVfs*>(v->pAppData); }
sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int XClose(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  const int rc = r->pMethods != nullptr ? r->pMethods->xClose(r) : SQLITE_OK;
  f->pMethods = nullptr;
  return rc;
}
int XRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int XWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  auto* s = reinterpret_cast<ShimFile*>(f);
  if (!s->env
           ->BeforeWrite(s->path != nullptr ? s->path : "", static_cast<uint64_t>(off),
                         static_cast<size_t>(n))
           .ok()) {
    return SQLITE_IOERR_WRITE;
  }
  return s->real->pMethods->xWrite(s->real, buf, n, off);
}
int XTruncate(sqlite3_file* f, sqlite3_int64 size) {
  auto* s = reinterpret_cast<ShimFile*>(f);
  if (!s->env->BeforeWrite(s->path != nullptr ? s->path : "", static_cast<uint64_t>(size), 0)
           .ok()) {
    return SQLITE_IOERR_TRUNCATE;
  }
  return s->real->pMethods->xTruncate(s->real, size);
}
int XSync(sqlite3_file* f, int flags) {
  auto* s = reinterpret_cast<ShimFile*>(f);
  if (!s->env->BeforeSync(s->path != nullptr ? s->path : "").ok()) return SQLITE_IOERR_FSYNC;
  return s->real->pMethods->xSync(s->real, flags);
}
int XFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int XLock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int XUnlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int XCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int XFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int XSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int XDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int XShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, p);
}
int XShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void XShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int XShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
// Memory-mapped reads: reads are not intercepted, so they go straight to the real file.
int XFetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, p);
}
int XUnfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    XClose,
    XRead,
    XWrite,
    XTruncate,
    XSync,
    XFileSize,
    XLock,
    XUnlock,
    XCheckReservedLock,
    XFileControl,
    XSectorSize,
    XDeviceCharacteristics,
    XShmMap,
    XShmLock,
    XShmBarrier,
    XShmUnmap,
    XFetch,
    XUnfetch,
};

int VOpen(sqlite3_vfs* v, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  ShimVfs* shim = Shim(v);
  auto* s = reinterpret_cast<ShimFile*>(f);
  s->base.pMethods = nullptr;
  s->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(ShimFile));
  s->env = shim->env;
  s->path = name;
  const int rc = shim->real->xOpen(shim->real, name, s->real, flags, out_flags);
  if (rc == SQLITE_OK && s->real->pMethods != nullptr) s->base.pMethods = &kMethods;
  return rc;
}
int VDelete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return Shim(v)->real->xDelete(Shim(v)->real, name, sync_dir);
}
int VAccess(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return Shim(v)->real->xAccess(Shim(v)->real, name, flags, out);
}
int VFullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return Shim(v)->real->xFullPathname(Shim(v)->real, name, n, out);
}
void* VDlOpen(sqlite3_vfs* v, const char* name) {
  return Shim(v)->real->xDlOpen(Shim(v)->real, name);
}
void VDlError(sqlite3_vfs* v, int n, char* msg) { Shim(v)->real->xDlError(Shim(v)->real, n, msg); }
void (*VDlSym(sqlite3_vfs* v, void* h, const char* sym))(void) {
  return Shim(v)->real->xDlSym(Shim(v)->real, h, sym);
}
void VDlClose(sqlite3_vfs* v, void* h) { Shim(v)->real->xDlClose(Shim(v)->real, h); }
int VRandomness(sqlite3_vfs* v, int n, char* out) {
  return Shim(v)->real->xRandomness(Shim(v)->real, n, out);
}
int VSleep(sqlite3_vfs* v, int us) { return Shim(v)->real->xSleep(Shim(v)->real, us); }
int VCurrentTime(sqlite3_vfs* v, double* out) {
  return Shim(v)->real->xCurrentTime(Shim(v)->real, out);
}
int VGetLastError(sqlite3_vfs* v, int n, char* out) {
  return Shim(v)->real->xGetLastError(Shim(v)->real, n, out);
}
int VCurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  return Shim(v)->real->xCurrentTimeInt64(Shim(v)->real, out);
}

std::mutex g_mu;
std::map<Env*, std::unique_ptr<ShimVfs>>& Registry() {
  static auto* m = new std::map<Env*, std::unique_ptr<ShimVfs>>();
  return *m;
}

}  // namespace

Result<std::string> AcquireEnvVfs(Env& env) {
  std::lock_guard lock(g_mu);
  auto& reg = Registry();
  if (auto it = reg.find(&env); it != reg.end()) {
    ++it->second->refs;
    return it->second->name;
  }
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr) return Status(ErrorCode::kInternal, "SQLite has no default VFS");
  auto shim = std::make_unique<ShimVfs>();
  shim->real = real;
  shim->env = &env;
  shim->refs = 1;
  shim->name = fmt::format("aidtrace-env-{}", static_cast<const void*>(&env));
  sqlite3_vfs& v = shim->vfs;
  std::memset(&v, 0, sizeof v);
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(ShimFile)) + real->szOsFile;
  v.mxPathname = real->mxPathname;
  v.zName = shim->name.c_str();
  v.pAppData = shim.get();
  v.xOpen = VOpen;
  v.xDelete = VDelete;
  v.xAccess = VAccess;
  v.xFullPathname = VFullPathname;
  v.xDlOpen = VDlOpen;
  v.xDlError = VDlError;
  v.xDlSym = VDlSym;
  v.xDlClose = VDlClose;
  v.xRandomness = VRandomness;
  v.xSleep = VSleep;
  v.xCurrentTime = VCurrentTime;
  v.xGetLastError = VGetLastError;
  v.xCurrentTimeInt64 = VCurrentTimeInt64;
  if (sqlite3_vfs_register(&v, 0) != SQLITE_OK) {
    return Status(ErrorCode::kInternal, "cannot register the SQLite VFS shim");
  }
  std::string name = shim->name;
  reg.emplace(&env, std::move(shim));
  return name;
}

void ReleaseEnvVfs(Env& env) {
  std::lock_guard lock(g_mu);
  auto& reg = Registry();
  auto it = reg.find(&env);
  if (it == reg.end()) return;
  if (--it->second->refs == 0) {
    sqlite3_vfs_unregister(&it->second->vfs);
    reg.erase(it);
  }
}

}  // namespace aidtrace::store::internal
