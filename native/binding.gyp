# NN Lab CPU kernels. Built at `npm install` by scripts/build-native.mjs; optional (the
# engine falls back to portable TypeScript kernels when this addon is absent).
#
# The AVX2/FMA kernels live in their own static library so that only that translation unit
# is compiled with -mavx2 -mfma; the addon picks it at runtime after checking the CPU.
{
  'target_defaults': {
    'cflags!': ['-fno-exceptions'],
    'cflags_cc!': ['-fno-exceptions', '-O2'],
    # -fno-math-errno: sqrt of a negative sets no errno (nothing reads it), so it vectorises;
    # -fno-trapping-math: nothing reads floating-point exception flags, so selects between
    # computed values become vector blends. Neither changes any result.
    'cflags_cc': ['-O3', '-fexceptions', '-fvisibility=hidden', '-fno-math-errno', '-fno-trapping-math'],
    'xcode_settings': {
      'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
      'GCC_OPTIMIZATION_LEVEL': '3',
      'OTHER_CPLUSPLUSFLAGS': ['-O3', '-fno-math-errno', '-fno-trapping-math'],
    },
    'msvs_settings': {
      'VCCLCompilerTool': { 'ExceptionHandling': 1, 'Optimization': 2 },
    },
  },
  'targets': [
    {
      'target_name': 'nnlab_kernels',
      'sources': ['src/addon.cc', 'src/elementwise.cc', 'src/window.cc', 'src/batch_norm.cc', 'src/recurrent_cells.cc',
                  'src/kernels_generic.cc'],
      'defines': ['NAPI_VERSION=8'],
      'conditions': [
        ['target_arch=="x64"', {
          'dependencies': ['nnlab_kernels_avx2'],
          'defines': ['NNLAB_HAVE_AVX2=1'],
        }, {
          'defines': ['NNLAB_HAVE_AVX2=0'],
        }],
      ],
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'nnlab_kernels_avx2',
          'type': 'static_library',
          'sources': ['src/kernels_avx2.cc'],
          'defines': ['NNLAB_HAVE_AVX2=1'],
          'cflags_cc': ['-mavx2', '-mfma'],
          'xcode_settings': { 'OTHER_CPLUSPLUSFLAGS': ['-O3', '-mavx2', '-mfma'] },
          'msvs_settings': { 'VCCLCompilerTool': { 'AdditionalOptions': ['/arch:AVX2'] } },
        },
      ],
    }],
  ],
}
