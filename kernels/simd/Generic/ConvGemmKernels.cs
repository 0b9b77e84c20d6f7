using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    public static partial class GenericKernels
    {
        /// <summary>
        /// CONV_2D and FULLY_CONNECTED as int8 GEMMs (<see cref="GemmConvKernel{TIsa}"/>), in preference order:
        /// <c>qs8-conv2d-4x8c4-gemmlowp-*</c> / <c>qs8-fc-4x8c4-gemmlowp-*</c> (SDOT, only for ISAs with a dot
        /// product) then <c>qs8-conv2d-4x8-gemmlowp-*</c> / <c>qs8-fc-4x8-gemmlowp-*</c> (SXTL + SMLAL, every ISA).
        /// </summary>
        static partial void RegisterConv<TIsa>(List<KernelEntry> list, KernelSetKind set) where TIsa : IInt8Isa
        {
            string sfx = IsaSuffix<TIsa>(set);
            if (TIsa.HasDotProduct)
                list.Add(new KernelEntry
                {
                    Name = "qs8-conv2d-4x8c4-gemmlowp-" + sfx, Op = OpType.Conv2D, Set = set,
                    TryCreate = (def, reference, ctx) => GemmConvKernel<TIsa>.TryCreate(def, (reference as Conv2DOp)?.Params, ctx, dot: true),
                });
            list.Add(new KernelEntry
            {
                Name = "qs8-conv2d-4x8-gemmlowp-" + sfx, Op = OpType.Conv2D, Set = set,
                TryCreate = (def, reference, ctx) => GemmConvKernel<TIsa>.TryCreate(def, (reference as Conv2DOp)?.Params, ctx, dot: false),
            });
            if (TIsa.HasDotProduct)
                list.Add(new KernelEntry
                {
                    Name = "qs8-fc-4x8c4-gemmlowp-" + sfx, Op = OpType.FullyConnected, Set = set,
                    TryCreate = (def, reference, ctx) => GemmConvKernel<TIsa>.TryCreate(def, (reference as FullyConnectedOp)?.Params, ctx, dot: true),
                });
            list.Add(new KernelEntry
            {
                Name = "qs8-fc-4x8-gemmlowp-" + sfx, Op = OpType.FullyConnected, Set = set,
                TryCreate = (def, reference, ctx) => GemmConvKernel<TIsa>.TryCreate(def, (reference as FullyConnectedOp)?.Params, ctx, dot: false),
            });
        }
    }

    /// <summary>
    /// CONV_2D (one group) and FULLY_CONNECTED over the ISA seam, byte-exact with kernels/reference/Conv2D.cs and
    /// FullyConnected.cs, as a GEMM: M = batches·outH·outW output pixels × N = output channels, K = kH·kW·inC
    /// (FULLY_CONNECTED is the 1×1 case with M = batches).
    ///
    /// Activations: a 1×1, stride-1, unpadded convolution (and every FULLY_CONNECTED) reads the NHWC input rows in
    /// place when K needs no padding for the path (always for SMLAL; K mod 4 = 0 for SDOT). Otherwise each tile of
    /// MR = 4 pixels is im2col-packed into a per-participant panel (MR × Kp bytes, allocated once at load): taps
    /// outside the image are filled with the input zero point — the reference contract, whose folded bias
    /// already subtracts input_zp·Σw over all taps — and K is padded to Kp with bytes that meet zero weights.
    /// Weights are packed at load (<see cref="PackGemmWeights"/>) and counted in <see cref="KernelContext.PackedBytes"/>.
    /// The micro-kernels (<see cref="GemmMicrokernels"/>) compute 4×8 (or 1×8 for the pixel tail) tiles;
    /// partial channel blocks store only the valid channels.
    ///
    /// Threads: the (pixel tile, channel block) items, pixel-tile-major, are split evenly across the pool's
    /// participants (so a batch-1 FULLY_CONNECTED splits its channel blocks); the kernel object is the
    /// <see cref="IParallelTask"/>, so Eval allocates nothing.
    /// </summary>
    internal sealed class GemmConvKernel<TIsa> : OpKernel, IParallelTask where TIsa : IInt8Isa
    {
        /// <summary>Below this many MACs an op runs on the calling thread only (the pool's hand-off costs more).</summary>
        internal static long ParallelMinMacs = 32768;

        private const int MR = 4, NR = GemmMicrokernels.NR;

        private readonly ConvParams _p;
        private readonly bool _dot, _direct;
        private readonly int _m, _n, _k, _kp, _groups, _nBlocks, _mTiles, _wBlockStride, _panelStride;
        private readonly byte[] _w, _panel;
        private readonly int[] _bias, _mult, _left, _right;
        private readonly byte _zpIn;
        private readonly WorkerPool _pool;
        private readonly long _macs;
        private byte[] _input, _output;   // valid during Eval only

        private GemmConvKernel(ConvParams p, bool dot, bool direct, int m, int n, int k, int kp, int wBlockStride,
            byte[] w, int[] bias, int[] mult, int[] left, int[] right, byte[] panel, WorkerPool pool)
        {
            _p = p; _dot = dot; _direct = direct; _m = m; _n = n; _k = k; _kp = kp; _groups = kp / 4;
            _nBlocks = (n + NR - 1) / NR; _mTiles = (m + MR - 1) / MR; _wBlockStride = wBlockStride;
            _w = w; _bias = bias; _mult = mult; _left = left; _right = right; _panel = panel; _panelStride = MR * kp;
            _zpIn = (byte)(sbyte)p.InputZeroPoint; _pool = pool;
            _macs = (long)m * n * k;
        }

        public static OpKernel TryCreate(OperatorDef def, ConvParams p, KernelContext ctx, bool dot)
        {
            if (p == null || p.Filter == null || !p.Filter.IsConstant || p.Input == null || p.Output == null) return null;
            if (dot && !TIsa.HasDotProduct) return null;
            if (p.FilterInC != p.InC) return null;                                   // grouped convolution: reference
            if (p.Batches <= 0 || p.InH <= 0 || p.InW <= 0 || p.InC <= 0 || p.OutH <= 0 || p.OutW <= 0 || p.OutC <= 0) return null;
            if (p.KernelH <= 0 || p.KernelW <= 0 || p.StrideH <= 0 || p.StrideW <= 0 || p.DilationH <= 0 || p.DilationW <= 0) return null;
            long mL = (long)p.Batches * p.OutH * p.OutW, kL = (long)p.KernelH * p.KernelW * p.InC;
            if (mL * p.OutC > int.MaxValue || kL * p.OutC > int.MaxValue || kL > int.MaxValue / 64) return null;
            int m = (int)mL, n = p.OutC, k = (int)kL;
            if (p.Input.SizeBytes < (long)p.Batches * p.InH * p.InW * p.InC || p.Output.SizeBytes < (long)m * n) return null;
            if (p.Bias == null || p.Bias.Length != n || p.Multiplier == null || p.Multiplier.Length != n || p.Shift == null || p.Shift.Length != n) return null;
            for (int c = 0; c < n; c++)
                if (p.Multiplier[c] < 0 || p.Shift[c] < -31 || p.Shift[c] > 30) return null;
            if (p.ActMin < -128 || p.ActMax > 127 || p.ActMin > p.ActMax) return null;
            if (p.InputZeroPoint < -128 || p.InputZeroPoint > 127 || p.OutputZeroPoint < -128 || p.OutputZeroPoint > 127) return null;
            byte[] file = def.Owner.Data;
            if (p.Filter.DataOffset < 0 || (long)p.Filter.DataOffset + (long)n * k > file.Length) return null;

            bool pointwise = p.KernelH == 1 && p.KernelW == 1 && p.StrideH == 1 && p.StrideW == 1 &&
                             p.PadTop == 0 && p.PadLeft == 0 && p.OutH == p.InH && p.OutW == p.InW;
            bool direct = pointwise && (!dot || (k & 3) == 0);
            int kp, wBlockStride;
            byte[] w;
            if (dot)
            {
                kp = (k + 3) & ~3;
                w = PackGemmWeights.Dot(file, p.Filter.DataOffset, n, k, kp);
                wBlockStride = kp * NR;
            }
            else
            {
                kp = k;
                int k2 = (k + 1) & ~1;
                w = PackGemmWeights.Mlal(file, p.Filter.DataOffset, n, k, k2);
                wBlockStride = k2 * NR;
            }
            int np = (n + NR - 1) / NR * NR;
            PackGemmWeights.Constants(p.Bias, p.Multiplier, p.Shift, n, np, out int[] bias, out int[] mult, out int[] left, out int[] right);
            int participants = ctx.Pool != null ? ctx.Pool.Count : 1;
            byte[] panel = direct ? null : new byte[participants * MR * kp];
            ctx.PackedBytes += w.Length + 4L * np * sizeof(int) + (panel == null ? 0 : panel.Length);
            return new GemmConvKernel<TIsa>(p, dot, direct, m, n, k, kp, wBlockStride, w, bias, mult, left, right, panel, ctx.Pool);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            _input = Data(_p.Input, arena, model);
            _output = arena;
            int items = _mTiles * _nBlocks;
            if (_pool != null && items > 1 && _macs >= ParallelMinMacs) _pool.Run(this);
            else Range(0, items, 0);
            _input = null;
            _output = null;
        }

        public void Execute(int participant, int participants)
        {
            int items = _mTiles * _nBlocks;
            int start = (int)((long)items * participant / participants);
            int end = (int)((long)items * (participant + 1) / participants);
            if (start < end) Range(start, end, participant);
        }

        private void Range(int start, int end, int participant)
        {
            ConvParams p = _p;
            int n = _n, nBlocks = _nBlocks;
            var e = new GemmEpilogue();
            e.Bias0 = ref MemoryMarshal.GetArrayDataReference(_bias);
            e.Mult0 = ref MemoryMarshal.GetArrayDataReference(_mult);
            e.Left0 = ref MemoryMarshal.GetArrayDataReference(_left);
            e.Right0 = ref MemoryMarshal.GetArrayDataReference(_right);
            e.Zp = Vector128.Create(p.OutputZeroPoint);
            e.Min = Vector128.Create((sbyte)p.ActMin);
            e.Max = Vector128.Create((sbyte)p.ActMax);

            ref byte in0 = ref MemoryMarshal.GetArrayDataReference(_input);
            ref byte out0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_output), p.Output.DataOffset);
            ref byte w0 = ref MemoryMarshal.GetArrayDataReference(_w);
            ref byte panel = ref in0;
            if (!_direct) panel = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_panel), participant * _panelStride);

            ref byte a = ref in0;
            int stride = _direct ? _k : _kp;
            int tile = -1, rows = 0, m0 = 0;
            for (int item = start; item < end; item++)
            {
                int t = item / nBlocks, nb = item - t * nBlocks;
                if (t != tile)
                {
                    tile = t;
                    m0 = t * MR;
                    rows = _m - m0 < MR ? _m - m0 : MR;
                    if (_direct) a = ref Unsafe.Add(ref in0, p.Input.DataOffset + m0 * _k);
                    else
                    {
                        for (int r = 0; r < rows; r++) PackRow(ref in0, m0 + r, ref Unsafe.Add(ref panel, r * stride));
                        a = ref panel;
                    }
                }
                int n0 = nb * NR;
                int nValid = n - n0 < NR ? n - n0 : NR;
                ref byte wb = ref Unsafe.Add(ref w0, nb * _wBlockStride);
                ref byte ob = ref Unsafe.Add(ref out0, m0 * n + n0);
                if (rows == MR)
                {
                    if (_dot)
                        GemmMicrokernels.Dot4<TIsa>(ref a, ref Unsafe.Add(ref a, stride), ref Unsafe.Add(ref a, 2 * stride), ref Unsafe.Add(ref a, 3 * stride),
                            _groups, ref wb, in e, n0, ref ob, ref Unsafe.Add(ref ob, n), ref Unsafe.Add(ref ob, 2 * n), ref Unsafe.Add(ref ob, 3 * n), nValid);
                    else
                        GemmMicrokernels.Mlal4<TIsa>(ref a, ref Unsafe.Add(ref a, stride), ref Unsafe.Add(ref a, 2 * stride), ref Unsafe.Add(ref a, 3 * stride),
                            _k, ref wb, in e, n0, ref ob, ref Unsafe.Add(ref ob, n), ref Unsafe.Add(ref ob, 2 * n), ref Unsafe.Add(ref ob, 3 * n), nValid);
                }
                else
                {
                    for (int r = 0; r < rows; r++)
                    {
                        if (_dot) GemmMicrokernels.Dot1<TIsa>(ref Unsafe.Add(ref a, r * stride), _groups, ref wb, in e, n0, ref Unsafe.Add(ref ob, r * n), nValid);
                        else GemmMicrokernels.Mlal1<TIsa>(ref Unsafe.Add(ref a, r * stride), _k, ref wb, in e, n0, ref Unsafe.Add(ref ob, r * n), nValid);
                    }
                }
            }
        }

        /// <summary>im2col of output pixel <paramref name="m"/>: its K = kH·kW·inC window bytes, [ky][kx][ic], padding taps = input zero point.</summary>
        private void PackRow(ref byte in0, int m, ref byte dst)
        {
            ConvParams p = _p;
            int hw = p.OutH * p.OutW;
            int b = m / hw, rem = m - b * hw;
            int oy = rem / p.OutW, ox = rem - oy * p.OutW;
            int inC = p.InC, kW = p.KernelW, inW = p.InW, rowBytes = kW * inC;
            int inBatch = p.Input.DataOffset + b * p.InH * inW * inC;
            int iy0 = oy * p.StrideH - p.PadTop, ix0 = ox * p.StrideW - p.PadLeft;
            byte zp = _zpIn;
            int d = 0;
            for (int ky = 0; ky < p.KernelH; ky++, d += rowBytes)
            {
                int iy = iy0 + ky * p.DilationH;
                ref byte row = ref Unsafe.Add(ref dst, d);
                if ((uint)iy >= (uint)p.InH)
                {
                    Unsafe.InitBlockUnaligned(ref row, zp, (uint)rowBytes);
                    continue;
                }
                int rowBase = inBatch + iy * inW * inC;
                if (p.DilationW == 1)
                {
                    // Taps kx in [lo, hi) are inside: one contiguous copy, zero point on either side.
                    int lo = ix0 < 0 ? -ix0 : 0;
                    if (lo > kW) lo = kW;
                    int hi = inW - ix0;
                    if (hi > kW) hi = kW;
                    if (hi < lo) hi = lo;
                    if (lo > 0) Unsafe.InitBlockUnaligned(ref row, zp, (uint)(lo * inC));
                    if (hi > lo)
                        Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref row, lo * inC), ref Unsafe.Add(ref in0, rowBase + (ix0 + lo) * inC), (uint)((hi - lo) * inC));
                    if (hi < kW) Unsafe.InitBlockUnaligned(ref Unsafe.Add(ref row, hi * inC), zp, (uint)((kW - hi) * inC));
                }
                else
                {
                    for (int kx = 0; kx < kW; kx++)
                    {
                        int ix = ix0 + kx * p.DilationW;
                        ref byte tap = ref Unsafe.Add(ref row, kx * inC);
                        if ((uint)ix < (uint)inW) Unsafe.CopyBlockUnaligned(ref tap, ref Unsafe.Add(ref in0, rowBase + ix * inC), (uint)inC);
                        else Unsafe.InitBlockUnaligned(ref tap, zp, (uint)inC);
                    }
                }
            }
        }
    }
}
