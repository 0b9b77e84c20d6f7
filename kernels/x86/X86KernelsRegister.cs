using System.Collections.Generic;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// The x86 CONV_2D / FULLY_CONNECTED / DEPTHWISE_CONV_2D kernels, in preference order. Every TryCreate checks
    /// its instruction sets and returns null when the CPU lacks them or the op is outside its coverage.
    /// </summary>
    public static partial class X86Kernels
    {
        static partial void Register(List<KernelEntry> list)
        {
            // CONV_2D (groups = 1, any window / stride / dilation / padding): im2col + GEMM.
            list.Add(new KernelEntry
            {
                Name = "qs8-conv2d-3x32c4-gemmlowp-avxvnni", Op = OpType.Conv2D, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86ConvKernel.TryCreate(def, reference, ctx, X86GemmIsa.AvxVnni, false),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-conv2d-4x16c2-gemmlowp-avx2", Op = OpType.Conv2D, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86ConvKernel.TryCreate(def, reference, ctx, X86GemmIsa.Avx2, false),
            });
            // FULLY_CONNECTED: the same GEMM with rows = batches.
            list.Add(new KernelEntry
            {
                Name = "qs8-fc-1x64c4-gemmlowp-avxvnni", Op = OpType.FullyConnected, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86ConvKernel.TryCreate(def, reference, ctx, X86GemmIsa.AvxVnni, true),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-fc-1x32c2-gemmlowp-avx2", Op = OpType.FullyConnected, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86ConvKernel.TryCreate(def, reference, ctx, X86GemmIsa.Avx2, true),
            });
            RegisterDepthwise(list);
            // QLINEAR_CONV / QLINEAR_MATMUL (ONNX Runtime's float requantization): the same AVX2 GEMM tiles on
            // int16 (x − x_zp)·(w − w_zp) pairs, or, for pair_saturation, ONNX Runtime's u8s8 vpmaddubsw pairs.
            list.Add(new KernelEntry
            {
                Name = "qx8-qlinearconv-gemm-4x16c2-fp32-avx2", Op = OpType.QLinearConv, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86QLinearKernel.TryCreateConv(def, reference, ctx, false),
            });
            list.Add(new KernelEntry
            {
                Name = "qx8-qlinearconv-gemm-4x16c4-pairsat-fp32-avx2", Op = OpType.QLinearConv, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86QLinearKernel.TryCreateConv(def, reference, ctx, true),
            });
            list.Add(new KernelEntry
            {
                Name = "qx8-qlinearconv-dwconv-8c-fp32-avx2", Op = OpType.QLinearConv, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86QLinearDepthwiseKernel.TryCreate(def, reference, ctx),
            });
            list.Add(new KernelEntry
            {
                Name = "qx8-qlinearmatmul-gemm-1x32c2-fp32-avx2", Op = OpType.QLinearMatMul, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86QLinearKernel.TryCreateMatMul(def, reference, ctx, false),
            });
            list.Add(new KernelEntry
            {
                Name = "qx8-qlinearmatmul-gemm-1x32c4-pairsat-fp32-avx2", Op = OpType.QLinearMatMul, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86QLinearKernel.TryCreateMatMul(def, reference, ctx, true),
            });
            // ONNX QuantizeLinear float32 → uint8/int8 (per tensor).
            list.Add(new KernelEntry
            {
                Name = "f32-qx8-quantizelinear-avx2", Op = OpType.Quantize, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86QuantizeKernel.TryCreate(reference),
            });
        }

        static partial void RegisterDepthwise(List<KernelEntry> list);
    }
}
