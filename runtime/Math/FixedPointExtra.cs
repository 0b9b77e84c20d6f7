namespace Edge.Runtime
{
    /// <summary>
    /// The rest of the gemmlowp fixed-point machinery the nonlinear int8 kernels need (softmax, logistic, tanh,
    /// hard swish), bit-exact with google/gemmlowp fixedpoint/fixedpoint.h (generic scalar templates, no SIMD
    /// specialisation) and with tensorflow/lite/kernels/internal/common.h (GetReciprocal, CountLeadingZeros) and
    /// reference/hard_swish.h (SaturatingLeftShift, SaturatingDoublingHighMul).
    ///
    /// gemmlowp's FixedPoint&lt;int32_t, IntegerBits&gt; is represented here by its raw int; the template parameter
    /// becomes an explicit integerBits argument. Plain gemmlowp Add/Sub/Neg wrap (C# unchecked), which is what the
    /// C++ does on every target TFLite Micro runs on. The int16 helpers reproduce C++'s int16_t truncations
    /// exactly (every intermediate that C++ stores in an int16_t is cast to short here).
    ///
    /// nanoFramework subset: int/long/short arithmetic only, no allocation, no exceptions.
    /// </summary>
    public static class FixedPointExtra
    {
        // ---------------------------------------------------------------- int32 primitives

        /// <summary>
        /// TFLite CountLeadingZeros(uint32_t): number of leading zero bits of x viewed as unsigned; 32 for 0.
        /// </summary>
        public static int CountLeadingZeros(uint x)
        {
            if (x == 0) return 32;
            int n = 0;
            if ((x & 0xFFFF0000u) == 0) { n += 16; x <<= 16; }
            if ((x & 0xFF000000u) == 0) { n += 8; x <<= 8; }
            if ((x & 0xF0000000u) == 0) { n += 4; x <<= 4; }
            if ((x & 0xC0000000u) == 0) { n += 2; x <<= 2; }
            if ((x & 0x80000000u) == 0) { n += 1; }
            return n;
        }

        /// <summary>TFLite CountLeadingZeros(uint64_t): leading zero bits of x; 64 for 0.</summary>
        public static int CountLeadingZeros64(ulong x)
        {
            uint high = (uint)(x >> 32);
            if (high != 0) return CountLeadingZeros(high);
            return 32 + CountLeadingZeros((uint)x);
        }

        /// <summary>gemmlowp RoundingHalfSum&lt;int32_t&gt;: (a + b) / 2 rounded to nearest, ties away from zero.</summary>
        public static int RoundingHalfSum(int a, int b)
        {
            long sum = (long)a + b;
            long sign = sum >= 0 ? 1 : -1;
            return (int)((sum + sign) / 2);
        }

        /// <summary>
        /// gemmlowp SaturatingRoundingMultiplyByPOT&lt;exponent&gt;(int32): exponent &gt; 0 is a left shift saturating
        /// to [int.MinValue, int.MaxValue]; exponent &lt; 0 is RoundingDivideByPOT(x, -exponent); 0 is identity.
        /// -31 &lt;= exponent &lt;= 30.
        /// </summary>
        public static int SaturatingRoundingMultiplyByPOT(int x, int exponent)
        {
            if (exponent == 0) return x;
            if (exponent < 0) return FixedPoint.RoundingDivideByPOT(x, -exponent);
            int threshold = (1 << (31 - exponent)) - 1;
            if (x > threshold) return int.MaxValue;
            if (x < -threshold) return int.MinValue;
            return unchecked(x * (1 << exponent));
        }

        /// <summary>
        /// gemmlowp Rescale&lt;dstIntegerBits&gt;(FixedPoint&lt;int32_t, srcIntegerBits&gt;): changes the number of integer
        /// bits, i.e. SaturatingRoundingMultiplyByPOT(raw, srcIntegerBits - dstIntegerBits).
        /// </summary>
        public static int Rescale(int raw, int srcIntegerBits, int dstIntegerBits)
        {
            return SaturatingRoundingMultiplyByPOT(raw, srcIntegerBits - dstIntegerBits);
        }

        // ---------------------------------------------------------------- gemmlowp transcendental functions

        /// <summary>FixedPoint&lt;int32_t, 0&gt;::One() raw value.</summary>
        public const int OneQ0 = int.MaxValue;

        /// <summary>
        /// gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl (int32, Q0.31 in and out): exp(a) for
        /// a in [-1/4, 0), by a 4th-order Taylor expansion around -1/8.
        /// </summary>
        public static int ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a)
        {
            const int constantTerm = 1895147668;   // exp(-1/8)
            const int constantOneOver3 = 715827883; // 1/3
            int x = unchecked(a + (1 << 28));      // a + 1/8 (ConstantPOT<-3> in Q0.31)
            int x2 = FixedPoint.SaturatingRoundingDoublingHighMul(x, x);
            int x3 = FixedPoint.SaturatingRoundingDoublingHighMul(x2, x);
            int x4 = FixedPoint.SaturatingRoundingDoublingHighMul(x2, x2);
            int x4Over4 = SaturatingRoundingMultiplyByPOT(x4, -2);
            int x4Over24PlusX3Over6PlusX2Over2 = SaturatingRoundingMultiplyByPOT(
                unchecked(FixedPoint.SaturatingRoundingDoublingHighMul(unchecked(x4Over4 + x3), constantOneOver3) + x2),
                -1);
            return unchecked(constantTerm + FixedPoint.SaturatingRoundingDoublingHighMul(
                constantTerm, unchecked(x + x4Over24PlusX3Over6PlusX2Over2)));
        }

        /// <summary>
        /// gemmlowp exp_on_negative_values(FixedPoint&lt;int32_t, integerBits&gt; a) -&gt; FixedPoint&lt;int32_t, 0&gt;:
        /// exp(a) for a &lt;= 0 (raw Q(integerBits).(31-integerBits) in, raw Q0.31 out). 0 &lt;= integerBits &lt;= 30.
        /// </summary>
        public static int ExpOnNegativeValues(int a, int integerBits)
        {
            int fractionalBits = 31 - integerBits;
            int oneQuarter = 1 << (fractionalBits - 2);   // ConstantPOT<-2>
            int mask = oneQuarter - 1;
            int aModQuarterMinusOneQuarter = unchecked((a & mask) - oneQuarter);
            int result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(
                Rescale(aModQuarterMinusOneQuarter, integerBits, 0));
            int remainder = unchecked(aModQuarterMinusOneQuarter - a);

            // GEMMLOWP_EXP_BARREL_SHIFTER(Exponent, multiplier): applied only when integerBits > Exponent.
            result = BarrelShift(result, remainder, integerBits, fractionalBits, -2, 1672461947);
            result = BarrelShift(result, remainder, integerBits, fractionalBits, -1, 1302514674);
            result = BarrelShift(result, remainder, integerBits, fractionalBits, 0, 790015084);
            result = BarrelShift(result, remainder, integerBits, fractionalBits, 1, 290630308);
            result = BarrelShift(result, remainder, integerBits, fractionalBits, 2, 39332535);
            result = BarrelShift(result, remainder, integerBits, fractionalBits, 3, 720401);
            result = BarrelShift(result, remainder, integerBits, fractionalBits, 4, 242);

            if (integerBits > 5)
            {
                // Inputs below -32 give exactly 0 (clamp = -(1 << (36 - integerBits)) raw, i.e. -32.0).
                int clamp = -(1 << (36 - integerBits));
                if (a < clamp) result = 0;
            }
            if (a == 0) result = OneQ0;
            return result;
        }

        private static int BarrelShift(int result, int remainder, int integerBits, int fractionalBits,
                                       int exponent, int multiplier)
        {
            if (integerBits > exponent)
            {
                int shiftAmount = fractionalBits + exponent;
                if ((remainder & (1 << shiftAmount)) != 0)
                    result = FixedPoint.SaturatingRoundingDoublingHighMul(result, multiplier);
            }
            return result;
        }

        /// <summary>
        /// gemmlowp one_over_one_plus_x_for_x_in_0_1 (int32, Q0.31 in and out): 1 / (1 + a) for a in [0, 1), by
        /// three Newton-Raphson iterations in Q2.29.
        /// </summary>
        public static int OneOverOnePlusXForXIn01(int a)
        {
            int x = NewtonRaphsonReciprocalOfHalfDenominator(RoundingHalfSum(a, OneQ0));
            // Rescale<0>(ExactMulByPot<-1>(x)): raw unchanged, from 1 integer bit to 0.
            return Rescale(x, 1, 0);
        }

        /// <summary>
        /// gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1 (int32, Q0.31 in and out): (1 - a) / (1 + a) for a in
        /// [0, 1).
        /// </summary>
        public static int OneMinusXOverOnePlusXForXIn01(int a)
        {
            int x = NewtonRaphsonReciprocalOfHalfDenominator(RoundingHalfSum(a, OneQ0));
            const int oneQ2 = 1 << 29;   // FixedPoint<int32_t, 2>::One()
            // Rescale<0>(x - F2::One()): from 2 integer bits to 0.
            return Rescale(unchecked(x - oneQ2), 2, 0);
        }

        // Shared body of the two functions above: x (Q2.29) ~= 1 / halfDenominator (halfDenominator in Q0.31).
        private static int NewtonRaphsonReciprocalOfHalfDenominator(int halfDenominator)
        {
            const int constant48Over17 = 1515870810;      // Q2.29
            const int constantNeg32Over17 = -1010580540;  // Q2.29
            const int oneQ2 = 1 << 29;
            int x = unchecked(constant48Over17 +
                              FixedPoint.SaturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17));
            for (int i = 0; i < 3; i++)
            {
                int halfDenominatorTimesX = FixedPoint.SaturatingRoundingDoublingHighMul(halfDenominator, x);
                int oneMinusHalfDenominatorTimesX = unchecked(oneQ2 - halfDenominatorTimesX);
                // x * (1 - d*x) is Q4.27; Rescale<2> brings it back to Q2.29.
                x = unchecked(x + Rescale(
                    FixedPoint.SaturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 4, 2));
            }
            return x;
        }

        /// <summary>
        /// gemmlowp logistic(FixedPoint&lt;int32_t, integerBits&gt; a) -&gt; FixedPoint&lt;int32_t, 0&gt;: 1 / (1 + exp(-a)).
        /// </summary>
        public static int Logistic(int a, int integerBits)
        {
            if (a == 0) return 1 << 30;   // one_half
            bool positive = a > 0;
            int absInput = positive ? a : unchecked(-a);
            // logistic_on_positive_values(abs) = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(-abs))
            int resultIfPositive = OneOverOnePlusXForXIn01(ExpOnNegativeValues(unchecked(-absInput), integerBits));
            if (positive) return resultIfPositive;
            return unchecked(OneQ0 - resultIfPositive);
        }

        /// <summary>
        /// gemmlowp tanh(FixedPoint&lt;int32_t, integerBits&gt; a) -&gt; FixedPoint&lt;int32_t, 0&gt;.
        /// integerBits &lt;= 29 (the exp is evaluated with integerBits + 1).
        /// </summary>
        public static int Tanh(int a, int integerBits)
        {
            if (a == 0) return 0;
            bool negative = a < 0;
            int n = negative ? a : unchecked(-a);
            // neg_tanh_on_negative_values(n) = one_minus_x_over_one_plus_x_for_x_in_0_1(
            //     exp_on_negative_values(ExactMulByPot<1>(n)))  -- ExactMulByPot<1> keeps the raw, +1 integer bit.
            int t = OneMinusXOverOnePlusXForXIn01(ExpOnNegativeValues(n, integerBits + 1));
            return negative ? unchecked(-t) : t;
        }

        /// <summary>
        /// TFLite GetReciprocal (tensorflow/lite/kernels/internal/common.h): for x &gt; 0 with xIntegerDigits integer
        /// bits, returns a Q0.31 value s and numBitsOverUnit such that 1/x ~= s * 2^-numBitsOverUnit.
        /// </summary>
        public static int GetReciprocal(int x, int xIntegerDigits, out int numBitsOverUnit)
        {
            int headroomPlusOne = CountLeadingZeros((uint)x);
            numBitsOverUnit = xIntegerDigits - headroomPlusOne;
            int shiftedSumMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
            return OneOverOnePlusXForXIn01(shiftedSumMinusOne);
        }

        // ---------------------------------------------------------------- int16 primitives (hard swish)

        /// <summary>gemmlowp SaturatingRoundingDoublingHighMul&lt;int16_t&gt; (VQRDMULH on int16).</summary>
        public static short SaturatingRoundingDoublingHighMul16(short a, short b)
        {
            if (a == b && a == short.MinValue) return short.MaxValue;
            int ab = a * b;
            short nudge = (short)(ab >= 0 ? (1 << 14) : (1 - (1 << 14)));
            return (short)((ab + nudge) / (1 << 15));
        }

        /// <summary>
        /// TFLite reference_ops::SaturatingDoublingHighMul (reference/hard_swish.h): like the rounding version but
        /// truncates toward zero (SQDMULH).
        /// </summary>
        public static short SaturatingDoublingHighMul16(short a, short b)
        {
            if (a == b && a == short.MinValue) return short.MaxValue;
            int ab = a * b;
            return (short)(ab / (1 << 15));
        }

        /// <summary>
        /// gemmlowp RoundingDivideByPOT&lt;int16_t&gt;(x, exponent), 0 &lt;= exponent &lt;= 31, including C++'s int16_t
        /// truncations of the mask (so exponents &gt;= 16 behave exactly as the C++ does).
        /// </summary>
        public static short RoundingDivideByPOT16(short x, int exponent)
        {
            short mask = (short)((1L << exponent) - 1);
            short remainder = (short)(x & mask);
            short threshold = (short)((short)(mask >> 1) + (x < 0 ? 1 : 0));
            return (short)((short)(x >> exponent) + (remainder > threshold ? 1 : 0));
        }

        /// <summary>
        /// TFLite reference_ops::SaturatingLeftShift (reference/hard_swish.h): value * 2^amount saturated to int16.
        /// 0 &lt;= amount &lt;= 30.
        /// </summary>
        public static short SaturatingLeftShift16(short value, int amount)
        {
            long result = (long)value * (1 << amount);
            if (result > short.MaxValue) result = short.MaxValue;
            if (result < short.MinValue) result = short.MinValue;
            return (short)result;
        }
    }
}
