using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Kernels.Reference;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    public static partial class GenericKernels
    {
        /// <summary>
        /// ADD / SUB / MUL (<c>qs8-vadd-minmax</c>, <c>qs8-vsub-minmax</c>, <c>qs8-vmul-minmax</c>), AVERAGE_POOL_2D /
        /// MAX_POOL_2D (<c>qs8-avgpool2d-minmax</c>, <c>qs8-maxpool2d-minmax</c>, kernels/simd/Generic/PoolKernels.cs)
        /// and MEAN over H, W (<c>qs8-mean-hw</c>, kernels/simd/Generic/MeanKernels.cs).
        /// </summary>
        static partial void RegisterElementwise<TIsa>(List<KernelEntry> list, KernelSetKind set) where TIsa : IInt8Isa
        {
            string sfx = IsaSuffix<TIsa>(set);
            list.Add(new KernelEntry
            {
                Name = "qs8-vadd-minmax-gemmlowp-" + sfx, Op = OpType.Add, Set = set,
                TryCreate = (def, reference, ctx) => BinaryKernel<TIsa>.TryCreate(reference, OpType.Add),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-vsub-minmax-gemmlowp-" + sfx, Op = OpType.Sub, Set = set,
                TryCreate = (def, reference, ctx) => BinaryKernel<TIsa>.TryCreate(reference, OpType.Sub),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-vmul-minmax-gemmlowp-" + sfx, Op = OpType.Mul, Set = set,
                TryCreate = (def, reference, ctx) => BinaryKernel<TIsa>.TryCreate(reference, OpType.Mul),
            });
            RegisterPool<TIsa>(list, set, sfx);
            RegisterQLinear<TIsa>(list, set, sfx);
            RegisterMean<TIsa>(list, set, sfx);
        }
    }

    /// <summary>Shared helpers of the element-wise kernels.</summary>
    internal static class SimdIo
    {
        /// <summary>16 bytes at <paramref name="pos"/>; near the end of the array the valid bytes go through <paramref name="tmp"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<sbyte> Load(byte[] a, int pos, int valid, Span<byte> tmp)
        {
            if ((uint)pos + 16u <= (uint)a.Length)
                return Vector128.LoadUnsafe(ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetArrayDataReference(a)), (nuint)pos);
            tmp.Clear();
            a.AsSpan(pos, valid).CopyTo(tmp);
            return Vector128.LoadUnsafe(ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetReference(tmp)));
        }

        /// <summary>Stores the first <paramref name="valid"/> lanes of <paramref name="v"/> at <paramref name="pos"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(byte[] a, int pos, int valid, Vector128<sbyte> v, Span<byte> tmp)
        {
            if (valid == 16 && (uint)pos + 16u <= (uint)a.Length)
            {
                v.AsByte().StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(a), (nuint)pos);
                return;
            }
            v.AsByte().StoreUnsafe(ref MemoryMarshal.GetReference(tmp));
            tmp.Slice(0, valid).CopyTo(a.AsSpan(pos, valid));
        }

        /// <summary>
        /// TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp (shift ≤ 0) on the seam: SQRDMULH, the sign
        /// fix-up and SRSHL — <see cref="Requant.Apply{TIsa}"/> without its (zero) left shift.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> ScaleSmaller<TIsa>(Vector128<int> x, Vector128<int> mult, Vector128<int> right) where TIsa : IInt8Isa
        {
            x = TIsa.SaturatingRoundingDoublingMultiplyHigh(x, mult);
            var fixup = Vector128.ShiftRightArithmetic(x & right, 31);
            x = TIsa.SaturatingAdd(x, fixup);
            return TIsa.RoundingShiftLeft(x, right);
        }
    }

    /// <summary>
    /// ADD, SUB and MUL, byte-exact with kernels/reference/Add.cs, Sub.cs and Mul.cs, for the common shapes:
    /// identical (6-D-extended) shapes, and one input broadcast along leading dimensions only — a scalar, or a
    /// trailing block such as a per-channel vector [C] against [N, H, W, C]. Anything else returns null (reference).
    ///
    /// ADD/SUB per 16 elements: SXTL, + input offset (int16, exact: |x − zp| ≤ 255), widen to int32, shift left by
    /// left_shift (wrapping, as the reference's multiply by 2^left_shift), MultiplyByQuantizedMultiplier-
    /// SmallerThanOneExp per input, wrapping sum/difference, the output rescale, then + output offset (wrapping) and
    /// clamp (Requant.Pack). MUL: (x1 + off1)·(x2 + off2) by SMLAL from int16 (exact), then
    /// <see cref="Requant.Apply{TIsa}"/> and Requant.Pack (wrapping zero-point add). The broadcast input's per-element terms are
    /// computed once per Eval (scalar, with the reference's own functions) into a buffer made at load.
    /// </summary>
    internal sealed class BinaryKernel<TIsa> : OpKernel where TIsa : IInt8Isa
    {
        private readonly OpType _op;
        private readonly TensorInfo _a, _b, _out;
        private readonly int _n;            // output elements
        private readonly int _period;       // 0: both inputs stream; else the broadcast input's element count
        private readonly bool _aIsBroadcast; // which input is the broadcast one (when _period > 0)
        private readonly int _ls, _off1, _m1, _s1, _off2, _m2, _s2, _outOff, _mo, _so, _actMin, _actMax;
        private readonly int[] _preAdd;     // ADD/SUB: scaled broadcast terms, padded to 16
        private readonly short[] _preMul;   // MUL: broadcast (x + offset), padded to 16

        private BinaryKernel(OpType op, TensorInfo a, TensorInfo b, TensorInfo o, int n, int period, bool aIsBroadcast,
            int ls, int off1, int m1, int s1, int off2, int m2, int s2, int outOff, int mo, int so, int actMin, int actMax)
        {
            _op = op; _a = a; _b = b; _out = o; _n = n; _period = period; _aIsBroadcast = aIsBroadcast;
            _ls = ls; _off1 = off1; _m1 = m1; _s1 = s1; _off2 = off2; _m2 = m2; _s2 = s2;
            _outOff = outOff; _mo = mo; _so = so; _actMin = actMin; _actMax = actMax;
            if (period > 0)
            {
                int len = (period + 15) & ~15;
                if (len < 16) len = 16;
                if (op == OpType.Mul) _preMul = new short[len];
                else _preAdd = new int[len];
            }
        }

        public static OpKernel TryCreate(OpKernel reference, OpType op)
        {
            TensorInfo a, b, o;
            int ls = 0, off1, m1 = 0, s1 = 0, off2, m2 = 0, s2 = 0, outOff, mo, so, actMin, actMax;
            if (op == OpType.Mul)
            {
                var r = reference as MulOp;
                if (r == null) return null;
                a = r.Input1; b = r.Input2; o = r.Output;
                off1 = r.Input1OffsetValue; off2 = r.Input2OffsetValue; outOff = r.OutputOffsetValue;
                mo = r.OutputMultiplierValue; so = r.OutputShiftValue; actMin = r.ActMinValue; actMax = r.ActMaxValue;
                if (so < -31 || so > 30) return null;
            }
            else
            {
                var r = reference as AddSubOp;
                if (r == null || r.IsSub != (op == OpType.Sub)) return null;
                a = r.Input1; b = r.Input2; o = r.Output;
                ls = r.LeftShiftValue;
                off1 = r.Input1OffsetValue; m1 = r.Input1MultiplierValue; s1 = r.Input1ShiftValue;
                off2 = r.Input2OffsetValue; m2 = r.Input2MultiplierValue; s2 = r.Input2ShiftValue;
                outOff = r.OutputOffsetValue; mo = r.OutputMultiplierValue; so = r.OutputShiftValue;
                actMin = r.ActMinValue; actMax = r.ActMaxValue;
                // MultiplyByQuantizedMultiplierSmallerThanOneExp: only non-positive exponents are a rounding right shift.
                if (s1 > 0 || s2 > 0 || so > 0 || s1 < -31 || s2 < -31 || so < -31 || ls < 0 || ls > 31) return null;
                if (m1 < 0 || m2 < 0) return null;
            }
            if (mo < 0 || actMin < -128 || actMax > 127 || actMin > actMax) return null;
            if (off1 < -128 || off1 > 128 || off2 < -128 || off2 > 128 || outOff < -128 || outOff > 127) return null;
            if (a.Rank > BroadcastShape.MaxRank || b.Rank > BroadcastShape.MaxRank) return null;

            int n = BroadcastShape.FlatSize(o.Shape);
            if (n <= 0) return null;
            int period = 0;
            bool aIsBroadcast = false;
            if (!BroadcastShape.SameExtended(a.Shape, b.Shape))
            {
                if (LeadingBroadcast(b.Shape, o.Shape) && SameAsOutput(a.Shape, o.Shape)) { period = BroadcastShape.FlatSize(b.Shape); }
                else if (LeadingBroadcast(a.Shape, o.Shape) && SameAsOutput(b.Shape, o.Shape)) { period = BroadcastShape.FlatSize(a.Shape); aIsBroadcast = true; }
                else return null;
                if (period <= 0 || n % period != 0) return null;
            }
            else if (BroadcastShape.FlatSize(a.Shape) != n) return null;
            return new BinaryKernel<TIsa>(op, a, b, o, n, period, aIsBroadcast, ls, off1, m1, s1, off2, m2, s2, outOff, mo, so, actMin, actMax);
        }

        private static bool SameAsOutput(int[] s, int[] o)
        {
            for (int i = 0; i < BroadcastShape.MaxRank; i++)
                if (BroadcastShape.Dim(s, i) != BroadcastShape.Dim(o, i)) return false;
            return true;
        }

        /// <summary>Extents 1 on leading (6-D) axes, then equal to the output's: the input repeats every FlatSize(s) elements.</summary>
        private static bool LeadingBroadcast(int[] s, int[] o)
        {
            int k = 0;
            while (k < BroadcastShape.MaxRank && BroadcastShape.Dim(s, k) == 1) k++;
            for (int i = k; i < BroadcastShape.MaxRank; i++)
                if (BroadcastShape.Dim(s, i) != BroadcastShape.Dim(o, i)) return false;
            return true;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            byte[] ia = Data(_a, arena, model), ib = Data(_b, arena, model);
            Span<byte> tmp = stackalloc byte[16];
            Span<byte> tmp2 = stackalloc byte[16];
            if (_period == 0)
            {
                Run(ia, _a.DataOffset, ib, _b.DataOffset, arena, _out.DataOffset, _n, 16, tmp, tmp2);
                return;
            }
            // The broadcast input's terms, once per Eval, with the reference's scalar functions.
            byte[] bc = _aIsBroadcast ? ia : ib;
            int bcOff = _aIsBroadcast ? _a.DataOffset : _b.DataOffset;
            int off = _aIsBroadcast ? _off1 : _off2, mult = _aIsBroadcast ? _m1 : _m2, shift = _aIsBroadcast ? _s1 : _s2;
            int p = _period;
            for (int j = 0; j < p; j++)
            {
                int x = (sbyte)bc[bcOff + j];
                if (_preMul != null) _preMul[j] = (short)(x + off);
                else _preAdd[j] = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((x + off) * (1 << _ls)), mult, shift);
            }
            if (p == 1)
            {
                // Scalar: fill a whole vector and keep reading it.
                if (_preMul != null) for (int j = 1; j < 16; j++) _preMul[j] = _preMul[0];
                else for (int j = 1; j < 16; j++) _preAdd[j] = _preAdd[0];
                if (_aIsBroadcast) Run(null, 0, ib, _b.DataOffset, arena, _out.DataOffset, _n, 0, tmp, tmp2);
                else Run(ia, _a.DataOffset, null, 0, arena, _out.DataOffset, _n, 0, tmp, tmp2);
                return;
            }
            int full = _aIsBroadcast ? _b.DataOffset : _a.DataOffset;
            for (int start = 0; start < _n; start += p)
            {
                if (_aIsBroadcast) Run(null, 0, ib, full + start, arena, _out.DataOffset + start, p, 16, tmp, tmp2);
                else Run(ia, full + start, null, 0, arena, _out.DataOffset + start, p, 16, tmp, tmp2);
            }
        }

        /// <summary>
        /// n outputs; an input given as null is the broadcast one, read from the precomputed buffer at index
        /// i·preStep/16 (preStep 16: element-wise, 0: scalar).
        /// </summary>
        private void Run(byte[] a, int aPos, byte[] b, int bPos, byte[] o, int oPos, int n, int preStep, Span<byte> tmp, Span<byte> tmp2)
        {
            var vMin = Vector128.Create((sbyte)_actMin);
            var vMax = Vector128.Create((sbyte)_actMax);
            var outOff = Vector128.Create(_outOff);
            var off1 = Vector128.Create((short)_off1);
            var off2 = Vector128.Create((short)_off2);
            if (_op == OpType.Mul)
            {
                var mult = Vector128.Create(_mo);
                var left = Vector128.Create(_so > 0 ? _so : 0);
                var right = Vector128.Create(_so > 0 ? 0 : _so);
                ref short pre = ref _preMul == null ? ref Unsafe.NullRef<short>() : ref MemoryMarshal.GetArrayDataReference(_preMul);
                int pi = 0;
                for (int i = 0; i < n; i += 16, pi += preStep)
                {
                    int valid = n - i < 16 ? n - i : 16;
                    Vector128<short> a0, a1, b0, b1;
                    if (a != null)
                    {
                        var x = SimdIo.Load(a, aPos + i, valid, tmp);
                        a0 = TIsa.SignExtendLower(x) + off1; a1 = TIsa.SignExtendUpper(x) + off1;
                    }
                    else { a0 = Vector128.LoadUnsafe(ref pre, (nuint)pi); a1 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 8)); }
                    if (b != null)
                    {
                        var x = SimdIo.Load(b, bPos + i, valid, tmp);
                        b0 = TIsa.SignExtendLower(x) + off2; b1 = TIsa.SignExtendUpper(x) + off2;
                    }
                    else { b0 = Vector128.LoadUnsafe(ref pre, (nuint)pi); b1 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 8)); }
                    var z = Vector128<int>.Zero;
                    var p0 = TIsa.MultiplyWideningLowerAndAdd(z, a0, b0);
                    var p1 = TIsa.MultiplyWideningUpperAndAdd(z, a0, b0);
                    var p2 = TIsa.MultiplyWideningLowerAndAdd(z, a1, b1);
                    var p3 = TIsa.MultiplyWideningUpperAndAdd(z, a1, b1);
                    var res = Requant.Pack<TIsa>(
                        Requant.Apply<TIsa>(p0, mult, left, right), Requant.Apply<TIsa>(p1, mult, left, right),
                        Requant.Apply<TIsa>(p2, mult, left, right), Requant.Apply<TIsa>(p3, mult, left, right), outOff, vMin, vMax);
                    SimdIo.Store(o, oPos + i, valid, res, tmp2);
                }
            }
            else
            {
                bool sub = _op == OpType.Sub;
                int ls = _ls;
                var m1 = Vector128.Create(_m1); var r1 = Vector128.Create(_s1);
                var m2 = Vector128.Create(_m2); var r2 = Vector128.Create(_s2);
                var mo = Vector128.Create(_mo); var ro = Vector128.Create(_so);
                ref int pre = ref _preAdd == null ? ref Unsafe.NullRef<int>() : ref MemoryMarshal.GetArrayDataReference(_preAdd);
                int pi = 0;
                for (int i = 0; i < n; i += 16, pi += preStep)
                {
                    int valid = n - i < 16 ? n - i : 16;
                    Vector128<int> a0, a1, a2, a3, b0, b1, b2, b3;
                    if (a != null) Scale(SimdIo.Load(a, aPos + i, valid, tmp), off1, ls, m1, r1, out a0, out a1, out a2, out a3);
                    else
                    {
                        a0 = Vector128.LoadUnsafe(ref pre, (nuint)pi); a1 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 4));
                        a2 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 8)); a3 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 12));
                    }
                    if (b != null) Scale(SimdIo.Load(b, bPos + i, valid, tmp), off2, ls, m2, r2, out b0, out b1, out b2, out b3);
                    else
                    {
                        b0 = Vector128.LoadUnsafe(ref pre, (nuint)pi); b1 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 4));
                        b2 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 8)); b3 = Vector128.LoadUnsafe(ref pre, (nuint)(pi + 12));
                    }
                    Vector128<int> s0, s1, s2, s3;
                    if (sub) { s0 = a0 - b0; s1 = a1 - b1; s2 = a2 - b2; s3 = a3 - b3; }
                    else { s0 = a0 + b0; s1 = a1 + b1; s2 = a2 + b2; s3 = a3 + b3; }
                    var res = Requant.Pack<TIsa>(
                        SimdIo.ScaleSmaller<TIsa>(s0, mo, ro), SimdIo.ScaleSmaller<TIsa>(s1, mo, ro),
                        SimdIo.ScaleSmaller<TIsa>(s2, mo, ro), SimdIo.ScaleSmaller<TIsa>(s3, mo, ro), outOff, vMin, vMax);
                    SimdIo.Store(o, oPos + i, valid, res, tmp2);
                }
            }
        }

        /// <summary>ADD/SUB input term: MBQMSmallerThanOneExp((x + offset) · 2^ls, mult, shift) for 16 values.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Scale(Vector128<sbyte> x, Vector128<short> off, int ls, Vector128<int> mult, Vector128<int> right,
            out Vector128<int> v0, out Vector128<int> v1, out Vector128<int> v2, out Vector128<int> v3)
        {
            var lo = TIsa.SignExtendLower(x) + off;
            var hi = TIsa.SignExtendUpper(x) + off;
            v0 = SimdIo.ScaleSmaller<TIsa>(Vector128.ShiftLeft(Vector128.WidenLower(lo), ls), mult, right);
            v1 = SimdIo.ScaleSmaller<TIsa>(Vector128.ShiftLeft(Vector128.WidenUpper(lo), ls), mult, right);
            v2 = SimdIo.ScaleSmaller<TIsa>(Vector128.ShiftLeft(Vector128.WidenLower(hi), ls), mult, right);
            v3 = SimdIo.ScaleSmaller<TIsa>(Vector128.ShiftLeft(Vector128.WidenUpper(hi), ls), mult, right);
        }
    }
}
