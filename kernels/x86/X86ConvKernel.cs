using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    /// <summary>Instruction set of an x86 GEMM kernel.</summary>
    internal enum X86GemmIsa
    {
        /// <summary>AVX-VNNI vpdpbusd (u8 × s8, 4 k per step) on 256-bit lanes (EVEX-encoded when AVX-512 VL is present).</summary>
        AvxVnni,
        /// <summary>AVX2 vpmaddwd on sign-extended int16 pairs (2 k per step).</summary>
        Avx2,
    }

    /// <summary>
    /// CONV_2D (groups = 1) and FULLY_CONNECTED as a GEMM: rows = output pixels (FC: batches), K = kh·kw·inC in the
    /// filter's [ky][kx][ic] order, columns = output channels in blocks of 8.
    ///
    /// Load: the weights are packed once into the micro-kernels' layout — AVX-VNNI [block of 8 oc][k/4][8][4] bytes,
    /// AVX2 [block][k/2][8][2] int16 — K padded with zero weights; the per-channel constants of
    /// <see cref="X86Requant"/>; and one im2col buffer per participant (chunk rows × Kp).
    ///
    /// VNNI multiplies UNSIGNED × signed bytes, so activations enter as u8 = x + 128 (x XOR 0x80) and the bias is
    /// re-folded once: bias' = foldedBias − 128·Σ_k w[oc, k] (wrapping int32), so that
    /// bias' + Σ (x + 128)·w = foldedBias + Σ x·w exactly in wrapping arithmetic; padding taps read
    /// (inputZeroPoint + 128) as u8, i.e. contribute inputZeroPoint·w like the reference contract. vpdpbusd does not
    /// saturate (each 4-product sum is at most 4·255·128 &lt; 2^31 and the accumulation wraps like the reference's
    /// <c>unchecked</c> adds). The AVX2 path sign-extends to int16 and uses vpmaddwd, whose pair sums (≤ 2·128·128)
    /// cannot overflow either, with the bias unchanged and padding reading inputZeroPoint.
    ///
    /// Eval packs a chunk of rows (im2col; for 1×1 stride-1 unpadded convolutions and FC a straight copy with the
    /// XOR), then runs register-blocked tiles (<see cref="X86GemmTiles"/>) over the channel groups; requantization
    /// is exact (<see cref="X86Requant.Apply256"/>). Threads take contiguous ranges of (chunk, channel group) work
    /// items; the kernel object is the <see cref="IParallelTask"/>; nothing is allocated per Eval.
    /// </summary>
    internal sealed unsafe class X86ConvKernel : OpKernel, IParallelTask
    {
        internal static long ParallelMinMacs = 32768;

        private readonly ConvParams _p;
        private readonly X86GemmIsa _isa;
        private readonly int _k, _kp, _ksteps, _m, _oc, _mc, _nChunks, _nGroups, _threads;
        private readonly bool _contiguous;            // rows of the GEMM are contiguous input rows (1×1 s1 p0, FC) with Kp == K
        private readonly int[] _gFirst, _gNb, _gMr;
        private readonly nint _wStride;               // elements per weight block
        private readonly void* _w;                    // packed weights (pinned)
        private readonly int* _q;                     // per-block constants (pinned)
        private readonly byte* _scratch;              // per-participant im2col buffers (pinned)
        private readonly nint _scratchPer;            // bytes per participant
        private readonly byte _padU8;
        private readonly short _padS16;
        private readonly Epilogue _e;
        private readonly WorkerPool _pool;
        private readonly long _macs;
        private readonly object[] _keep;               // the pinned arrays behind the pointers
        private byte[] _input, _output;               // valid during Eval only

        private X86ConvKernel(ConvParams p, X86GemmIsa isa, KernelContext ctx, byte[] file)
        {
            _p = p; _isa = isa; _pool = ctx.Pool; _threads = ctx.Pool != null ? ctx.Pool.Count : 1;
            bool vnni = isa == X86GemmIsa.AvxVnni;
            int step = vnni ? 4 : 2;
            _k = p.KernelH * p.KernelW * p.InC;
            _kp = (_k + 3) & ~3;
            _ksteps = _kp / step;
            _m = p.Batches * p.OutH * p.OutW;
            _oc = p.OutC;
            _macs = (long)_m * _k * _oc;
            _contiguous = p.KernelH == 1 && p.KernelW == 1 && p.StrideH == 1 && p.StrideW == 1 &&
                          p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0 &&
                          p.OutH == p.InH && p.OutW == p.InW && _kp == _k;
            int blocks = (_oc + 7) / 8;

            // Channel groups: greedy decomposition into the tile widths the micro-kernels offer.
            bool singleRow = _m < 4;
            int[] widths = vnni ? (singleRow ? new[] { 8, 4, 2, 1 } : new[] { 4, 2, 1 })
                                : (singleRow ? new[] { 4, 2, 1 } : new[] { 2, 1 });
            var gf = new System.Collections.Generic.List<int>();
            var gn = new System.Collections.Generic.List<int>();
            var gm = new System.Collections.Generic.List<int>();
            for (int b = 0; b < blocks;)
            {
                int nb = 1;
                foreach (int wdt in widths) if (wdt <= blocks - b) { nb = wdt; break; }
                gf.Add(b); gn.Add(nb);
                gm.Add(singleRow ? 1 : vnni ? (nb == 4 ? 3 : nb == 2 ? 7 : 14) : (nb == 2 ? 4 : 8));
                b += nb;
            }
            _gFirst = gf.ToArray(); _gNb = gn.ToArray(); _gMr = gm.ToArray(); _nGroups = _gFirst.Length;

            // Chunk of rows packed at a time: about 48 KB of im2col, a multiple of the tile heights
            // (VNNI 3, 7, 14; AVX2 4, 8).
            int elem = vnni ? 1 : 2, unit = vnni ? 42 : 8;
            int mc = 49152 / Math.Max(1, _kp * elem);
            mc = Math.Min(Math.Max(unit, mc / unit * unit), 336);
            if (mc > _m) mc = _m;
            _mc = mc;
            _nChunks = (_m + mc - 1) / mc;

            // Weights.
            var keep = new System.Collections.Generic.List<object>();
            _wStride = (nint)_ksteps * (vnni ? 32 : 16);
            int[] bias = (int[])p.Bias.Clone();
            if (vnni)
            {
                var w = GC.AllocateArray<sbyte>(blocks * (int)_wStride + 64, pinned: true);
                keep.Add(w);
                sbyte* wp = Align((sbyte*)Unsafe.AsPointer(ref w[0]));
                _w = wp;
                for (int oc = 0; oc < _oc; oc++)
                {
                    int blk = oc >> 3, j = oc & 7;
                    long sum = 0;
                    for (int k = 0; k < _k; k++)
                    {
                        sbyte v = (sbyte)FilterByte(oc, k);
                        sum += v;
                        wp[blk * _wStride + (k >> 2) * 32 + j * 4 + (k & 3)] = v;
                    }
                    bias[oc] = unchecked(bias[oc] - (int)(128 * sum));
                }
                ctx.PackedBytes += w.Length;
            }
            else
            {
                var w = GC.AllocateArray<short>(blocks * (int)_wStride + 32, pinned: true);
                keep.Add(w);
                short* wp = (short*)Align((sbyte*)Unsafe.AsPointer(ref w[0]));
                _w = wp;
                for (int oc = 0; oc < _oc; oc++)
                {
                    int blk = oc >> 3, j = oc & 7;
                    for (int k = 0; k < _k; k++)
                        wp[blk * _wStride + (k >> 1) * 16 + j * 2 + (k & 1)] = (sbyte)FilterByte(oc, k);
                }
                ctx.PackedBytes += 2L * w.Length;
            }
            var q = X86Requant.PackConstants(bias, p.Multiplier, p.Shift, _oc, 8, blocks);
            var qp = GC.AllocateArray<int>(q.Length + 16, pinned: true);
            keep.Add(qp);
            int* qa = (int*)Align((sbyte*)Unsafe.AsPointer(ref qp[0]));
            for (int i = 0; i < q.Length; i++) qa[i] = q[i];
            _q = qa;
            ctx.PackedBytes += 4L * qp.Length;

            {
                _scratchPer = ((nint)_mc * _kp * elem + 63) & ~(nint)63;
                var s = GC.AllocateArray<byte>((int)(_scratchPer * _threads) + 64, pinned: true);
                keep.Add(s);
                _scratch = (byte*)Align((sbyte*)Unsafe.AsPointer(ref s[0]));
                ctx.PackedBytes += s.Length;
            }
            _keep = keep.ToArray();
            _padU8 = (byte)(p.InputZeroPoint ^ 0x80);
            _padS16 = (short)p.InputZeroPoint;
            _e = new Epilogue(p.OutputZeroPoint, p.ActMin, p.ActMax);

            int FilterByte(int oc, int k) => file[p.Filter.DataOffset + oc * _k + k];
        }

        private static sbyte* Align(sbyte* p) => (sbyte*)(((nint)p + 63) & ~(nint)63);

        public static OpKernel TryCreate(OperatorDef def, OpKernel reference, KernelContext ctx, X86GemmIsa isa, bool fullyConnected)
        {
            if (isa == X86GemmIsa.AvxVnni ? !(AvxVnni.IsSupported && Avx2.IsSupported) : !Avx2.IsSupported) return null;
            ConvParams p = fullyConnected ? (reference as FullyConnectedOp)?.Params : (reference as Conv2DOp)?.Params;
            if (p == null || p.Filter == null || !p.Filter.IsConstant || p.Bias == null) return null;
            if (!fullyConnected && p.FilterInC != p.InC) return null;               // grouped convolution
            if (p.OutC <= 0 || p.InC <= 0 || p.Batches <= 0 || p.OutH <= 0 || p.OutW <= 0) return null;
            if (p.Bias.Length != p.OutC || p.Multiplier.Length != p.OutC || p.Shift.Length != p.OutC) return null;
            for (int c = 0; c < p.OutC; c++)
                if (p.Multiplier[c] < 0 || p.Shift[c] < -31 || p.Shift[c] > 30) return null;
            if (p.ActMin < -128 || p.ActMax > 127 || p.ActMin > p.ActMax) return null;
            if (p.InputZeroPoint < -128 || p.InputZeroPoint > 127) return null;
            long k = (long)p.KernelH * p.KernelW * p.InC;
            if (k > (1 << 20)) return null;
            byte[] file = def.Owner.Data;
            if ((long)p.Filter.DataOffset + k * p.OutC > file.Length) return null;
            return new X86ConvKernel(p, isa, ctx, file);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            _input = Data(_p.Input, arena, model);
            _output = arena;
            if (_pool != null && _macs >= ParallelMinMacs && _nChunks * _nGroups > 1) _pool.Run(this);
            else Execute(0, 1);
            _input = null;
            _output = null;
        }

        public void Execute(int participant, int participants)
        {
            int items = _nChunks * _nGroups;
            int start = (int)((long)items * participant / participants);
            int end = (int)((long)items * (participant + 1) / participants);
            if (start >= end) return;
            byte* buf = _scratch + participant * _scratchPer;
            fixed (byte* inp = _input, outp = _output)
            {
                int packed = -1;
                sbyte* outBase = (sbyte*)outp + _p.Output.DataOffset;
                for (int item = start; item < end; item++)
                {
                    int chunk = item / _nGroups, g = item - chunk * _nGroups;
                    int r0 = chunk * _mc, r1 = Math.Min(_m, r0 + _mc);
                    if (chunk != packed)
                    {
                        if (_isa == X86GemmIsa.AvxVnni) PackU8(inp, r0, r1, buf);
                        else PackS16(inp, r0, r1, (short*)buf);
                        packed = chunk;
                    }
                    int first = _gFirst[g], nb = _gNb[g], mr = _gMr[g];
                    int ocValid = Math.Min(_oc - first * 8, nb * 8);
                    int* q = _q + first * X86Requant.BlockInts256;
                    for (int r = r0; r < r1; r += mr)
                    {
                        int rows = Math.Min(mr, r1 - r);
                        sbyte* c = outBase + (nint)r * _oc + first * 8;
                        if (_isa == X86GemmIsa.AvxVnni)
                            X86GemmTiles.RunVnni(mr, nb, buf + (nint)(r - r0) * _kp, _kp, rows, (sbyte*)_w + first * _wStride, _wStride,
                                _ksteps, q, c, _oc, ocValid, in _e);
                        else
                            X86GemmTiles.RunAvx2(mr, nb, (short*)buf + (nint)(r - r0) * _kp, _kp, rows, (short*)_w + first * _wStride, _wStride,
                                _ksteps, q, c, _oc, ocValid, in _e);
                    }
                }
            }
        }

        /// <summary>im2col of rows [r0, r1) as u8 = x + 128; padding taps read inputZeroPoint + 128.</summary>
        private void PackU8(byte* inp, int r0, int r1, byte* buf)
        {
            ConvParams p = _p;
            int c = p.InC;
            byte* input = inp + p.Input.DataOffset;
            if (_contiguous)
            {
                CopyXor(buf, input + (nint)r0 * c, (r1 - r0) * c);
                return;
            }
            int ohw = p.OutH * p.OutW, kw = p.KernelW, kh = p.KernelH, inH = p.InH, inW = p.InW;
            nint rowStride = (nint)inW * c, imgStride = rowStride * inH;
            int b = 0, oy = 0, ox = 0;
            for (int r = r0; r < r1; r++)
            {
                byte* d = buf + (nint)(r - r0) * _kp;
                if (r == r0) { b = r / ohw; int pix = r - b * ohw; oy = pix / p.OutW; ox = pix - oy * p.OutW; }
                else if (++ox == p.OutW) { ox = 0; if (++oy == p.OutH) { oy = 0; b++; } }
                byte* img = input + b * imgStride;
                int iy0 = oy * p.StrideH - p.PadTop, ix0 = ox * p.StrideW - p.PadLeft;
                bool xInside = p.DilationW == 1 && ix0 >= 0 && ix0 + kw <= inW;
                for (int ky = 0; ky < kh; ky++)
                {
                    int iy = iy0 + ky * p.DilationH;
                    if ((uint)iy >= (uint)inH) { Fill(d, _padU8, kw * c); d += kw * c; continue; }
                    byte* row = img + iy * rowStride;
                    if (xInside) { CopyXor(d, row + (nint)ix0 * c, kw * c); d += kw * c; continue; }
                    for (int kx = 0; kx < kw; kx++, d += c)
                    {
                        int ix = ix0 + kx * p.DilationW;
                        if ((uint)ix < (uint)inW) CopyXor(d, row + (nint)ix * c, c);
                        else Fill(d, _padU8, c);
                    }
                }
            }
        }

        /// <summary>im2col of rows [r0, r1) as sign-extended int16; padding taps read inputZeroPoint.</summary>
        private void PackS16(byte* inp, int r0, int r1, short* buf)
        {
            ConvParams p = _p;
            int c = p.InC;
            sbyte* input = (sbyte*)inp + p.Input.DataOffset;
            int ohw = p.OutH * p.OutW, kw = p.KernelW, kh = p.KernelH, inH = p.InH, inW = p.InW;
            nint rowStride = (nint)inW * c, imgStride = rowStride * inH;
            if (_contiguous)
            {
                CopyExt(buf, input + (nint)r0 * c, (r1 - r0) * c);
                return;
            }
            int b = 0, oy = 0, ox = 0;
            for (int r = r0; r < r1; r++)
            {
                short* d = buf + (nint)(r - r0) * _kp;
                if (r == r0) { b = r / ohw; int pix = r - b * ohw; oy = pix / p.OutW; ox = pix - oy * p.OutW; }
                else if (++ox == p.OutW) { ox = 0; if (++oy == p.OutH) { oy = 0; b++; } }
                sbyte* img = input + b * imgStride;
                int iy0 = oy * p.StrideH - p.PadTop, ix0 = ox * p.StrideW - p.PadLeft;
                bool xInside = p.DilationW == 1 && ix0 >= 0 && ix0 + kw <= inW;
                for (int ky = 0; ky < kh; ky++)
                {
                    int iy = iy0 + ky * p.DilationH;
                    if ((uint)iy >= (uint)inH) { Fill16(d, _padS16, kw * c); d += kw * c; continue; }
                    sbyte* row = img + iy * rowStride;
                    if (xInside) { CopyExt(d, row + (nint)ix0 * c, kw * c); d += kw * c; continue; }
                    for (int kx = 0; kx < kw; kx++, d += c)
                    {
                        int ix = ix0 + kx * p.DilationW;
                        if ((uint)ix < (uint)inW) CopyExt(d, row + (nint)ix * c, c);
                        else Fill16(d, _padS16, c);
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CopyXor(byte* d, byte* s, int n)
        {
            int i = 0;
            if (n >= 32)
            {
                var m = Vector256.Create((byte)0x80);
                for (; i + 32 <= n; i += 32) Avx2.Xor(Avx.LoadVector256(s + i), m).Store(d + i);
            }
            if (i + 16 <= n) { Sse2.Xor(Sse2.LoadVector128(s + i), Vector128.Create((byte)0x80)).Store(d + i); i += 16; }
            if (i + 8 <= n) { *(ulong*)(d + i) = *(ulong*)(s + i) ^ 0x8080808080808080UL; i += 8; }
            for (; i < n; i++) d[i] = (byte)(s[i] ^ 0x80);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Fill(byte* d, byte v, int n)
        {
            int i = 0;
            if (n >= 32) { var x = Vector256.Create(v); for (; i + 32 <= n; i += 32) x.Store(d + i); }
            for (; i < n; i++) d[i] = v;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CopyExt(short* d, sbyte* s, int n)
        {
            int i = 0;
            for (; i + 16 <= n; i += 16) Avx2.ConvertToVector256Int16(s + i).Store(d + i);
            for (; i < n; i++) d[i] = s[i];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Fill16(short* d, short v, int n)
        {
            int i = 0;
            if (n >= 16) { var x = Vector256.Create(v); for (; i + 16 <= n; i += 16) x.Store(d + i); }
            for (; i < n; i++) d[i] = v;
        }
    }
}
