# cuBLAS for tapegrad's matmul, optional: the toolkit's CUDA::cublas when present, else the
# `nvidia-cublas` wheel (nvidia/cu13/{include,lib}, only libcublas.so.13, hence find_library by
# full name). Defines the imported target tg_cublas and sets TAPEGRAD_HAS_CUBLAS; without it the
# build uses tapegrad's tiled matmul kernel.
if(TARGET CUDA::cublas)
  add_library(tg_cublas INTERFACE IMPORTED)
  target_link_libraries(tg_cublas INTERFACE CUDA::cublas)
  set(TAPEGRAD_HAS_CUBLAS ON)
else()
  find_package(Python COMPONENTS Interpreter QUIET)
  set(_tg_hints "")
  if(Python_EXECUTABLE)
    execute_process(COMMAND ${Python_EXECUTABLE} -c
      "import nvidia, os; print(';'.join(os.path.join(p, d) for p in nvidia.__path__ for d in ('cu13', 'cublas')))"
      OUTPUT_VARIABLE _tg_hints OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  # TAPEGRAD_CUBLAS_ROOT: an unpacked wheel's nvidia/cu13 (or any prefix with include/ and lib/).
  set(TAPEGRAD_CUBLAS_ROOT "" CACHE PATH "Where cuBLAS lives when not in the CUDA toolkit")
  find_path(TG_CUBLAS_INCLUDE cublas_v2.h HINTS ${TAPEGRAD_CUBLAS_ROOT} ${_tg_hints}
    PATH_SUFFIXES include)
  find_library(TG_CUBLAS_LIB NAMES cublas libcublas.so.13 HINTS ${TAPEGRAD_CUBLAS_ROOT}
    ${_tg_hints} PATH_SUFFIXES lib)
  if(TG_CUBLAS_INCLUDE AND TG_CUBLAS_LIB)
    add_library(tg_cublas INTERFACE IMPORTED)
    target_include_directories(tg_cublas INTERFACE ${TG_CUBLAS_INCLUDE})
    target_link_libraries(tg_cublas INTERFACE ${TG_CUBLAS_LIB})
    set(TAPEGRAD_HAS_CUBLAS ON)
    set(TG_CUBLAS_FROM_WHEEL ON)
  endif()
endif()
