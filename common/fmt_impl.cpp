// fmt's compiled part, built here from Debian's libfmt-dev headers instead of linking libfmt.so: the
// programs then load no shared C++ library at all (the root CMakeLists.txt links libstdc++ statically),
// which takes most of the dynamic loader's work out of a one-workflow `compile`. The headers used in
// header-only mode in every file instead would add seconds of build time per file.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
// format.h declares these `extern template`: one translation unit must instantiate them.
template FMT_API auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
}  // namespace detail
FMT_END_NAMESPACE
