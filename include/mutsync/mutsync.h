//  mutsync - the version of the project, as CLASS projects give it (RFC 21).
//
//  The one source is CMakeLists.txt: project(mutsync VERSION X.Y.Z) defines
//  MS_VERSION_MAJOR, MS_VERSION_MINOR and MS_VERSION_PATCH for every target
//  that links the library. This version names the programs (`mutsync
//  --version`); the wire format carries its own in the signed domain string.

#ifndef MS_MUTSYNC_H
#define MS_MUTSYNC_H

#if !defined(MS_VERSION_MAJOR) || !defined(MS_VERSION_MINOR) || !defined(MS_VERSION_PATCH)
#error "MS_VERSION_* come from project(VERSION) in CMakeLists.txt: build with CMake"
#endif

//  One number that grows with every release: 0.1.0 is 100, 1.2.3 is 10203.
#define MS_MAKE_VERSION(major, minor, patch) ((major)*10000 + (minor)*100 + (patch))
#define MS_VERSION MS_MAKE_VERSION(MS_VERSION_MAJOR, MS_VERSION_MINOR, MS_VERSION_PATCH)

//  The version as text: "0.1.0".
#define MS_VERSION_TEXT                                                                            \
    MS_STRINGIFY(MS_VERSION_MAJOR)                                                                 \
    "." MS_STRINGIFY(MS_VERSION_MINOR) "." MS_STRINGIFY(MS_VERSION_PATCH)
#define MS_STRINGIFY(x) MS_STRINGIFY_(x)
#define MS_STRINGIFY_(x) #x

#endif
