using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// Depthwise QLINEAR_CONV (group = input channels = output channels; exact accumulation), AVX2, 8 channels per
    /// step, bit-exact with kernels/reference/QLinearConv.cs: per output pixel and block of 8 channels,
    /// acc = bias + Σ over the in-bounds taps of (x − x_zp)·(w − w_zp[c]) in int32 (vpmovzxbd / vpmovsxbd, vpsubd,
    /// vpmulld: |product| ≤ 255², the sum wraps like the reference's <c>unchecked</c> adds; skipped padding taps
    /// contribute 0, as the reference's); then <see cref="OrtOutput"/> (uint8/int8) or the raw int32.
    /// Load: weights as int32 w − w_zp[c], [tap][channels rounded up to 8], bias and scales per channel.
    /// The last block of a pixel reads its channel tail through a small buffer (no read past the tensor).
    /// Pixels whose window lies inside the image take the taps two at a time instead: x − x_zp of taps t and t+1
    /// interleaved as int16 against the weights interleaved at load, vpmaddwd (|pair sum| ≤ 2·255², exact).
    /// </summary>
    internal sealed unsafe class X86QLinearDepthwiseKernel : OpKernel
    {
        private readonly QLinearConvParams _p;
        private readonly int _cp, _taps;
        private readonly int* _w, _bias;
        private readonly short* _w2;       // tap pairs interleaved: [pair][channel][2] int16 (an odd last tap pairs with 0)
        private readonly int _pairs;
        private readonly nint[] _tapOff;
        private readonly float* _scale;
        private readonly Epilogue _e;
        private readonly object[] _keep;

        private X86QLinearDepthwiseKernel(QLinearConvParams p, KernelContext ctx, byte[] file)
        {
            _p = p;
            int c = p.OutC;
            _cp = (c + 7) & ~7;
            _taps = p.KernelH * p.KernelW;
            var w = GC.AllocateArray<int>(_taps * _cp + 2 * _cp + 16, pinned: true);
            int* wp = (int*)(((nint)Unsafe.AsPointer(ref w[0]) + 31) & ~(nint)31);
            for (int t = 0; t < _taps; t++)
                for (int ch = 0; ch < c; ch++)
                {
                    int pos = p.Filter.DataOffset + ch * _taps + t;   // OHWI with I = 1
                    int v = p.WSigned ? (sbyte)file[pos] : file[pos];
                    wp[t * _cp + ch] = v - p.WeightZeroPoint[ch];
                }
            _w = wp;
            _bias = wp + _taps * _cp;
            _scale = (float*)(_bias + _cp);
            for (int ch = 0; ch < c; ch++)
            {
                if (p.Bias != null) { int o = p.Bias.DataOffset + 4 * ch; _bias[ch] = file[o] | (file[o + 1] << 8) | (file[o + 2] << 16) | (file[o + 3] << 24); }
                if (p.Scale != null) _scale[ch] = p.Scale[ch];
            }
            _pairs = (_taps + 1) / 2;
            // Byte offset of each tap from the window's top-left pixel (interior pixels).
            _tapOff = new nint[_taps];
            for (int ky = 0; ky < p.KernelH; ky++)
                for (int kx = 0; kx < p.KernelW; kx++)
                    _tapOff[ky * p.KernelW + kx] = ((nint)ky * p.DilationH * p.InW + (nint)kx * p.DilationW) * c;
            var w2 = GC.AllocateArray<short>(_pairs * _cp * 2 + 32, pinned: true);
            short* w2p = (short*)(((nint)Unsafe.AsPointer(ref w2[0]) + 31) & ~(nint)31);
            for (int t = 0; t < _taps; t++)
                for (int ch = 0; ch < c; ch++)
                    w2p[((t >> 1) * _cp + ch) * 2 + (t & 1)] = (short)wp[t * _cp + ch];
            _w2 = w2p;
            _keep = new object[] { w, w2 };
            ctx.PackedBytes += 4L * w.Length + 2L * w2.Length;
            _e = new Epilogue(p.OutputZeroPoint, p.ActMin, p.ActMax);
        }

        public static OpKernel TryCreate(OperatorDef def, OpKernel reference, KernelContext ctx)
        {
            if (!Avx2.IsSupported) return null;
            var p = (reference as QLinearConvOp)?.Params;
            if (p == null || p.PairSaturation || p.Filter == null || !p.Filter.IsConstant) return null;
            if (p.Bias != null && !p.Bias.IsConstant) return null;
            if (p.Group <= 1 || p.Group != p.InC || p.Group != p.OutC) return null;
            if (p.Batches <= 0 || p.OutH <= 0 || p.OutW <= 0) return null;
            if ((long)p.Filter.DataOffset + (long)p.KernelH * p.KernelW * p.OutC > def.Owner.Data.Length) return null;
            return new X86QLinearDepthwiseKernel(p, ctx, def.Owner.Data);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Load8(byte* s, int n, bool signed)
        {
            long l;
            if (n >= 8) l = *(long*)s;
            else { l = 0; for (int i = n - 1; i >= 0; i--) l = (l << 8) | s[i]; }
            var v = Vector128.CreateScalar(l).AsByte();
            return signed ? Avx2.ConvertToVector256Int32(v.AsSByte()) : Avx2.ConvertToVector256Int32(v);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<short> Load16(byte* s, bool signed, Vector128<short> zp)
        {
            var v = Vector128.CreateScalar(*(long*)s).AsByte();
            return Sse2.Subtract(signed ? Sse41.ConvertToVector128Int16(v.AsSByte()) : Sse41.ConvertToVector128Int16(v), zp);
        }

        [SkipLocalsInit]
        public override void Eval(byte[] arena, byte[] model)
        {
            QLinearConvParams p = _p;
            byte[] input = Data(p.Input, arena, model);
            int c = p.OutC, kh = p.KernelH, kw = p.KernelW, inH = p.InH, inW = p.InW, cp = _cp;
            int sh = p.StrideH, sw = p.StrideW, dh = p.DilationH, dw = p.DilationW, pt = p.PadTop, pl = p.PadLeft;
            int outH = p.OutH, outW = p.OutW, batches = p.Batches;
            bool signed = p.InSigned;
            int kind = p.OutKind;
            int* w = _w, bias = _bias;
            float* scale = _scale;
            var zp = Vector256.Create(p.InputZeroPoint);
            var zp16 = Vector128.Create((short)p.InputZeroPoint);
            int taps = _taps;
            nint[] tapOff = _tapOff;
            fixed (byte* ip = input, op = arena)
            {
                byte* inBase = ip + p.Input.DataOffset;
                byte* outBase = op + p.Output.DataOffset;
                nint rowStride = (nint)inW * c;
                int pix = 0;
                for (int b = 0; b < batches; b++)
                    for (int oy = 0; oy < outH; oy++)
                    {
                        int iy0 = oy * sh - pt;
                        // Taps ky in [ky0, ky1) are inside the image.
                        int ky0 = 0, ky1 = kh;
                        while (ky0 < kh && iy0 + ky0 * dh < 0) ky0++;
                        while (ky1 > ky0 && iy0 + (ky1 - 1) * dh >= inH) ky1--;
                        byte* img = inBase + (nint)b * inH * rowStride;
                        for (int ox = 0; ox < outW; ox++, pix++)
                        {
                            int ix0 = ox * sw - pl;
                            int kx0 = 0, kx1 = kw;
                            while (kx0 < kw && ix0 + kx0 * dw < 0) kx0++;
                            while (kx1 > kx0 && ix0 + (kx1 - 1) * dw >= inW) kx1--;
                            bool interior = ky0 == 0 && ky1 == kh && kx0 == 0 && kx1 == kw;
                            for (int c0 = 0; c0 < c; c0 += 8)
                            {
                                int n = c - c0 < 8 ? c - c0 : 8;
                                var acc = Vector256.Load(bias + c0);
                                if (interior && n == 8)
                                {
                                    byte* px = img + iy0 * rowStride + (nint)ix0 * c + c0;
                                    short* w2 = _w2 + c0 * 2;
                                    for (int t = 0; t < taps; t += 2, w2 += 2 * cp)
                                    {
                                        var xa = Load16(px + tapOff[t], signed, zp16);
                                        var xb = t + 1 < taps ? Load16(px + tapOff[t + 1], signed, zp16) : Vector128<short>.Zero;
                                        var x = Vector256.Create(Sse2.UnpackLow(xa, xb), Sse2.UnpackHigh(xa, xb));
                                        acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(x, Vector256.Load(w2)));
                                    }
                                }
                                else
                                for (int ky = ky0; ky < ky1; ky++)
                                {
                                    byte* src = img + (iy0 + ky * dh) * rowStride + (nint)ix0 * c + c0;
                                    int* wr = w + ky * kw * cp + c0;
                                    for (int kx = kx0; kx < kx1; kx++)
                                    {
                                        var x = Avx2.Subtract(Load8(src + (nint)kx * dw * c, n, signed), zp);
                                        acc = Avx2.Add(acc, Avx2.MultiplyLow(x, Vector256.Load(wr + kx * cp)));
                                    }
                                }
                                nint o = (nint)pix * c + c0;
                                if (kind == 0)
                                {
                                    int* d = (int*)outBase + o;
                                    if (n == 8) acc.Store(d);
                                    else for (int i = 0; i < n; i++) d[i] = acc.GetElement(i);
                                }
                                else
                                {
                                    var r = OrtOutput.Requantize(acc, Vector256.Load(scale + c0), in _e);
                                    if (kind == 1) OrtOutput.StoreU8(outBase + o, r, n);
                                    else X86Requant.Store8((sbyte*)outBase + o, r, n);
                                }
                            }
                        }
                    }
            }
        }
    }
}
