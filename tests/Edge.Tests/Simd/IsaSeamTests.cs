using System;
using System.Runtime.Intrinsics;
using Edge.Kernels.Simd;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Simd
{
    /// <summary>
    /// The ISA seam: the portable implementation must equal the NEON software model instruction by
    /// instruction, and requantization on the seam must equal TFLite's scalar MultiplyByQuantizedMultiplier.
    /// </summary>
    public class IsaSeamTests
    {
        private static readonly int[] Edges = { 0, 1, -1, 2, -2, 3, -3, 127, -128, 255, 1 << 14, -(1 << 14), 1 << 30, -(1 << 30), (1 << 30) + 1,
            int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1, 0x40000000 - 1, 12345678, -12345678 };

        private static int Pick(Random r) => r.Next(4) switch { 0 => Edges[r.Next(Edges.Length)], 1 => r.Next(-300, 300), _ => r.Next(int.MinValue, int.MaxValue) };

        private static Vector128<int> RandInt(Random r) => Vector128.Create(Pick(r), Pick(r), Pick(r), Pick(r));

        private static Vector128<sbyte> RandByte(Random r)
        {
            var b = new sbyte[16];
            for (int i = 0; i < 16; i++) b[i] = (sbyte)(r.Next(3) == 0 ? (r.Next(2) == 0 ? -128 : 127) : r.Next(-128, 128));
            return Vector128.Create(b);
        }

        private static Vector128<short> RandShort(Random r)
        {
            var s = new short[8];
            for (int i = 0; i < 8; i++) s[i] = (short)(r.Next(3) == 0 ? (r.Next(2) == 0 ? short.MinValue : short.MaxValue) : r.Next(short.MinValue, short.MaxValue + 1));
            return Vector128.Create(s);
        }

        [Fact]
        public void PortableEqualsNeonModelForEveryPrimitive()
        {
            var r = new Random(1234);
            for (int it = 0; it < 20000; it++)
            {
                var a = RandInt(r); var b = RandInt(r);
                var sa = RandByte(r); var sb = RandByte(r);
                var ha = RandShort(r); var hb = RandShort(r);
                var shifts = Vector128.Create(r.Next(-40, 40), r.Next(-40, 40), r.Next(-128, 128), Pick(r));
                var leftShifts = Vector128.Create(r.Next(0, 33), r.Next(0, 33), r.Next(0, 8), r.Next(0, 31));
                Assert.Equal(NeonModelIsa.DotProduct(a, sa, sb), PortableIsa.DotProduct(a, sa, sb));
                Assert.Equal(NeonModelIsa.SignExtendLower(sa), PortableIsa.SignExtendLower(sa));
                Assert.Equal(NeonModelIsa.SignExtendUpper(sa), PortableIsa.SignExtendUpper(sa));
                Assert.Equal(NeonModelIsa.MultiplyWideningLowerAndAdd(a, ha, hb), PortableIsa.MultiplyWideningLowerAndAdd(a, ha, hb));
                Assert.Equal(NeonModelIsa.MultiplyWideningUpperAndAdd(a, ha, hb), PortableIsa.MultiplyWideningUpperAndAdd(a, ha, hb));
                Assert.Equal(NeonModelIsa.SaturatingRoundingDoublingMultiplyHigh(a, b), PortableIsa.SaturatingRoundingDoublingMultiplyHigh(a, b));
                Assert.Equal(NeonModelIsa.RoundingShiftLeft(a, shifts), PortableIsa.RoundingShiftLeft(a, shifts));
                Assert.Equal(NeonModelIsa.ShiftLeft(a, leftShifts), PortableIsa.ShiftLeft(a, leftShifts));
                Assert.Equal(NeonModelIsa.SaturatingAdd(a, b), PortableIsa.SaturatingAdd(a, b));
                Assert.Equal(NeonModelIsa.SaturatingAdd(ha, hb), PortableIsa.SaturatingAdd(ha, hb));
                Assert.Equal(NeonModelIsa.SaturatingNarrow(a, b), PortableIsa.SaturatingNarrow(a, b));
                Assert.Equal(NeonModelIsa.SaturatingNarrow(ha, hb), PortableIsa.SaturatingNarrow(ha, hb));
            }
        }

        [Fact]
        public void SqrdmulhEqualsGemmlowpSaturatingRoundingDoublingHighMul()
        {
            var r = new Random(99);
            for (int it = 0; it < 200000; it++)
            {
                int a = Pick(r), b = Pick(r);
                Assert.Equal(FixedPoint.SaturatingRoundingDoublingHighMul(a, b), NeonModel.Sqrdmulh(a, b));
            }
            // Ties: a·b ≡ 2^30 (mod 2^31), both signs.
            for (int k = -1000; k < 1000; k++)
            {
                int a = (1 << 15) * (2 * k + 1), b = 1 << 15;
                Assert.Equal(FixedPoint.SaturatingRoundingDoublingHighMul(a, b), NeonModel.Sqrdmulh(a, b));
            }
        }

        private static void CheckRequant<TIsa>(int seed) where TIsa : IInt8Isa
        {
            var r = new Random(seed);
            for (int it = 0; it < 50000; it++)
            {
                var acc = new int[4]; var mult = new int[4]; var shift = new int[4];
                for (int i = 0; i < 4; i++)
                {
                    acc[i] = r.Next(3) == 0 ? Pick(r) : r.Next(-1 << 20, 1 << 20);
                    mult[i] = r.Next(4) == 0 ? int.MaxValue - r.Next(4) : (r.Next(8) == 0 ? 0 : r.Next(1 << 30, int.MaxValue));
                    shift[i] = r.Next(3) == 0 ? r.Next(-31, 31) : r.Next(-20, 4);
                }
                Requant.SplitShifts(shift, out var left, out var right);
                var got = Requant.Apply<TIsa>(Vector128.Create(acc), Vector128.Create(mult), Vector128.Create(left), Vector128.Create(right));
                for (int i = 0; i < 4; i++)
                    Assert.True(FixedPoint.MultiplyByQuantizedMultiplier(acc[i], mult[i], shift[i]) == got.GetElement(i),
                        $"acc {acc[i]} mult {mult[i]} shift {shift[i]}: want {FixedPoint.MultiplyByQuantizedMultiplier(acc[i], mult[i], shift[i])}, got {got.GetElement(i)}");
            }
            // Every tie of the final rounding shift, both signs.
            for (int s = 1; s <= 31; s++)
                for (int k = -50; k <= 50; k++)
                {
                    int acc = (int)Math.Clamp(((long)(2 * k + 1)) << (s - 1), int.MinValue, int.MaxValue);
                    var got = Requant.Apply<TIsa>(Vector128.Create(acc), Vector128.Create(1 << 30), Vector128.Create(1), Vector128.Create(-s));
                    // x·2 then ×0.5 is exact, so this isolates the rounding right shift: RoundingDivideByPOT(acc, s).
                    int want = FixedPoint.RoundingDivideByPOT(FixedPoint.SaturatingRoundingDoublingHighMul(unchecked(acc * 2), 1 << 30), s);
                    Assert.Equal(want, got.GetElement(0));
                }
        }

        [Fact] public void RequantOnNeonModelEqualsTflite() => CheckRequant<NeonModelIsa>(7);
        [Fact] public void RequantOnPortableEqualsTflite() => CheckRequant<PortableIsa>(8);

        [Fact]
        public void PackClampsLikeTheScalarRule()
        {
            var r = new Random(5);
            for (int it = 0; it < 20000; it++)
            {
                var v = new int[16];
                for (int i = 0; i < 16; i++) v[i] = r.Next(3) == 0 ? Pick(r) : r.Next(-400, 400);
                int zp = r.Next(-128, 128);
                int lo = r.Next(-128, 128), hi = r.Next(lo, 128);
                var got = Requant.Pack<NeonModelIsa>(Vector128.Create(v[0], v[1], v[2], v[3]), Vector128.Create(v[4], v[5], v[6], v[7]),
                    Vector128.Create(v[8], v[9], v[10], v[11]), Vector128.Create(v[12], v[13], v[14], v[15]),
                    Vector128.Create((short)zp), Vector128.Create((sbyte)lo), Vector128.Create((sbyte)hi));
                var got2 = Requant.Pack<PortableIsa>(Vector128.Create(v[0], v[1], v[2], v[3]), Vector128.Create(v[4], v[5], v[6], v[7]),
                    Vector128.Create(v[8], v[9], v[10], v[11]), Vector128.Create(v[12], v[13], v[14], v[15]),
                    Vector128.Create((short)zp), Vector128.Create((sbyte)lo), Vector128.Create((sbyte)hi));
                for (int i = 0; i < 16; i++)
                {
                    long want = Math.Clamp(unchecked(v[i] + zp), lo, hi);   // the reference kernels' wrapping add, then clamp
                    Assert.Equal(want, got.GetElement(i));
                    Assert.Equal(want, got2.GetElement(i));
                }
            }
        }
    }
}
