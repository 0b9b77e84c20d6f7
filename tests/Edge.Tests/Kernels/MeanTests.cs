using System;
using System.Collections.Generic;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Xunit;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// MEAN int8 -> int8: TFLM golden vectors (tensorflow/lite/micro/kernels/reduce_test.cc), a seeded
    /// differential test against <see cref="ReduceLiteral"/> (a literal port of TFLM EvalIntegerMean and
    /// reference/reduce.h: ResolveAxis, ReducedOutputOffset, NextIndex, Mean&lt;int8_t, int32_t&gt;,
    /// QuantizedMeanOrSum with its run-time 1/count folding) over random shapes, axes and quantization, and host
    /// checks.
    /// </summary>
    public class MeanTests
    {
        private static readonly float[] Input2D = { 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f };
        private static readonly float[] Golden2D = { 2.5f, 6.5f };
        private static readonly float[] Input3D = { 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f };
        private static readonly float[] Golden3D = { 2.5f, 6.5f };
        private static readonly float[] Input4D =
        {
            1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f,
            13.0f, 14.0f, 15.0f, 16.0f, 17.0f, 18.0f, 19.0f, 20.0f, 21.0f, 22.0f, 23.0f, 24.0f,
        };
        private static readonly float[] Golden4D = { 6, 7, 18, 19 };
        private static readonly float[] InputPrecision = { 1.0f, 24.0f, 13.0f, 3.0f, 9.0f, 17.0f, 11.0f, 36.0f, 14.0f, 19.0f, 17.0f, 22.0f };
        private static readonly float[] GoldenPrecision = { 11.166667f, 19.833334f };

        public static IEnumerable<object[]> TflmGoldenCases()
        {
            // TFLM test, input shape, axes, keep_dims, output shape, input, golden, in scale, in zp, out scale, out zp
            yield return new object[] { "MeanInt82DKeepDims", new[] { 2, 4 }, new[] { 1 }, true, new[] { 1, 2 }, Input2D, Golden2D, 0.5f, 0, 0.5f, 0 };
            yield return new object[] { "MeanInt83DKeepDims", new[] { 2, 2, 2 }, new[] { 1, 2 }, true, new[] { 1, 2 }, Input3D, Golden3D, 0.5f, 0, 0.5f, 0 };
            yield return new object[] { "MeanInt84DKeepDims", new[] { 2, 2, 3, 2 }, new[] { 1, 2 }, true, new[] { 2, 1, 1, 2 }, Input4D, Golden4D, 0.5f, 0, 0.5f, 0 };
            yield return new object[] { "MeanInt84DWithoutKeepDims", new[] { 2, 2, 3, 2 }, new[] { 1, 2 }, false, new[] { 2, 2 }, Input4D, Golden4D, 0.5f, 0, 0.5f, 0 };
            yield return new object[] { "MeanInt84DWithoutKeepDimsWithPrecision", new[] { 2, 2, 3, 1 }, new[] { 1, 2 }, false, new[] { 2, 1 }, InputPrecision, GoldenPrecision, 0.5f, 0, 0.5f, 0 };
            // TFLM runs this one on int16 only (MeanInt164DWithoutKeepDimsDifferentScaleAndZeroPoint); every value
            // fits int8, so it is run here as int8 to cover the rescaling path with TFLM's own data.
            yield return new object[] { "MeanInt164DWithoutKeepDimsDifferentScaleAndZeroPoint (as int8)", new[] { 2, 2, 3, 2 }, new[] { 1, 2 }, false, new[] { 2, 2 }, Input4D, Golden4D, 0.5f, 0, 0.7f, 0 };
        }

        /// <summary>reduce_test.cc TestReduceOpQuantized&lt;int8_t&gt; with Register_MEAN(): tolerance 1.0.</summary>
        [Theory]
        [MemberData(nameof(TflmGoldenCases))]
        public void TflmGolden(string tflmTest, int[] inputShape, int[] axes, bool keepDims, int[] outputShape,
                               float[] input, float[] golden, float inScale, int inZp, float outScale, int outZp)
        {
            MeanOptions p = NonlinearParams.Mean(inputShape, axes, keepDims, inScale, inZp, outScale, outZp, outputShape);
            Assert.Equal(inScale == outScale && inZp == outZp, p.SameQuantization);
            byte[] inQ = NonlinearTestUtil.QuantizeToBytes(input, inScale, inZp);
            var outQ = new byte[golden.Length];
            var scratch = new int[Edge.Kernels.Reference.Mean.ScratchLength(inputShape, p.Axes)];
            Edge.Kernels.Reference.Mean.Eval(inQ, 0, inputShape, p.Axes, outQ, 0, p.SameQuantization,
                p.InputZeroPoint, p.OutputZeroPoint, p.Multiplier, p.Shift, scratch);
            for (int i = 0; i < golden.Length; i++)
            {
                int expected = NonlinearTestUtil.FloatToQuantizedInt8(golden[i], outScale, outZp);
                int actual = (sbyte)outQ[i];
                Assert.True(Math.Abs(expected - actual) <= 1, tflmTest + ": element " + i + " expected " + expected + " got " + actual);
            }
            sbyte[] reference = ReduceLiteral.EvalIntegerMean(NonlinearTestUtil.ToSbytes(inQ), inputShape, axes, inZp, inScale, outZp, outScale);
            Assert.Equal(reference, NonlinearTestUtil.ToSbytes(outQ));
        }

        /// <summary>
        /// Random shapes (rank 1..5), 1-2 distinct axes given in TFLM's raw form (negative, duplicated, unsorted),
        /// both the same-quantization and the rescaling path: kernel + host constants == literal TFLM port.
        /// </summary>
        [Fact]
        public void MatchesLiteralPortOnRandomCases()
        {
            var rng = new Random(8675309);
            float[] scales = { 0.01f, 0.02f, 0.0235294122f, 0.05f, 0.1f, 0.5f, 0.7f, 3.0f };
            int sameQuantCases = 0, rescaledCases = 0;
            for (int trial = 0; trial < 600; trial++)
            {
                int rank = 1 + rng.Next(5);
                var shape = new int[rank];
                for (int d = 0; d < rank; d++) shape[d] = 1 + rng.Next(rank >= 4 ? 5 : 9);
                int numAxes = 1 + rng.Next(Math.Min(2, rank));
                var axesList = new List<int>();
                while (axesList.Count < numAxes)
                {
                    int a = rng.Next(rank);
                    if (!axesList.Contains(a)) axesList.Add(a);
                }
                // Raw TFLite form: maybe negative, maybe a duplicate.
                var raw = new List<int>();
                foreach (int a in axesList) raw.Add(rng.Next(2) == 0 ? a : a - rank);
                if (rng.Next(4) == 0) raw.Add(raw[0]);
                int[] axes = raw.ToArray();

                float inScale = scales[rng.Next(scales.Length)];
                int inZp = rng.Next(-128, 128);
                bool same = trial % 3 == 0;
                float outScale = same ? inScale : scales[rng.Next(scales.Length)];
                int outZp = same ? inZp : rng.Next(-128, 128);
                if (same) sameQuantCases++; else if (!(inScale == outScale && inZp == outZp)) rescaledCases++;

                int inCount = 1;
                foreach (int d in shape) inCount *= d;
                var input = new byte[inCount + 3];
                rng.NextBytes(input);

                MeanOptions p = NonlinearParams.Mean(shape, axes, rng.Next(2) == 0, inScale, inZp, outScale, outZp);
                var scratch = new int[Edge.Kernels.Reference.Mean.ScratchLength(shape, p.Axes)];
                int outCount = scratch.Length - rank;
                var output = new byte[outCount + 2];
                Edge.Kernels.Reference.Mean.Eval(input, 3, shape, p.Axes, output, 2, p.SameQuantization,
                    p.InputZeroPoint, p.OutputZeroPoint, p.Multiplier, p.Shift, scratch);

                var inS = new sbyte[inCount];
                for (int i = 0; i < inCount; i++) inS[i] = (sbyte)input[3 + i];
                sbyte[] expected = ReduceLiteral.EvalIntegerMean(inS, shape, axes, inZp, inScale, outZp, outScale);
                Assert.Equal(expected.Length, outCount);
                for (int o = 0; o < outCount; o++)
                    Assert.True(expected[o] == (sbyte)output[2 + o],
                        "trial " + trial + " shape [" + string.Join(",", shape) + "] axes [" + string.Join(",", axes) +
                        "] o " + o + " expected " + expected[o] + " got " + (sbyte)output[2 + o]);
            }
            Assert.True(sameQuantCases > 100 && rescaledCases > 200);
        }

        /// <summary>The kernel itself handles any number of axes (TFLM's limit of 2 is enforced on the host).</summary>
        [Fact]
        public void KernelHandlesThreeAndMoreAxes()
        {
            var rng = new Random(4);
            int[] shape = { 2, 3, 4, 5 };
            int[][] axesSets = { new[] { 1, 2, 3 }, new[] { 0, 1, 2, 3 }, new[] { 0, 2, 3 } };
            var input = new byte[120];
            rng.NextBytes(input);
            foreach (int[] axes in axesSets)
            {
                int m, s;
                NonlinearTestUtil.QuantizeMultiplier(0.1 / 0.03, out m, out s);
                int count = 1;
                foreach (int a in axes) count *= shape[a];
                int fm, fs;
                NonlinearParams.FoldMeanCount(m, s, count, out fm, out fs);
                var scratch = new int[Edge.Kernels.Reference.Mean.ScratchLength(shape, axes)];
                var output = new byte[scratch.Length - shape.Length];
                Edge.Kernels.Reference.Mean.EvalRescaled(input, 0, shape, axes, output, 0, 7, -9, fm, fs, scratch);
                sbyte[] expected = ReduceLiteral.QuantizedMean(NonlinearTestUtil.ToSbytes(input), shape, axes, 7, m, s, -9);
                Assert.Equal(expected, NonlinearTestUtil.ToSbytes(output));
                Edge.Kernels.Reference.Mean.EvalSameQuantization(input, 0, shape, axes, output, 0, scratch);
                Assert.Equal(ReduceLiteral.MeanSameQuantization(NonlinearTestUtil.ToSbytes(input), shape, axes), NonlinearTestUtil.ToSbytes(output));
            }
        }

        [Fact]
        public void FoldingMatchesRuntimeFoldingForManyCounts()
        {
            var rng = new Random(11);
            for (int k = 0; k < 20000; k++)
            {
                long count = k < 100 ? k + 1 : 1 + (long)(rng.NextDouble() * int.MaxValue);
                int multiplier = k % 7 == 0 ? 0 : (1 << 30) + rng.Next(1 << 30);
                int shift = rng.Next(-31, 12);
                int fm, fs;
                NonlinearParams.FoldMeanCount(multiplier, shift, count, out fm, out fs);
                int em, es;
                ReduceLiteral.Fold(multiplier, shift, count, out em, out es);
                Assert.Equal(em, fm);
                Assert.Equal(es, fs);
                Assert.True(fs >= -31);
            }
        }

        [Fact]
        public void HostResolvesAxesAndRejectsWhatTflmCannotRun()
        {
            MeanOptions p = NonlinearParams.Mean(new[] { 1, 4, 4, 8 }, new[] { -2, 1, 2 }, true, 0.1f, 3, 0.1f, 3);
            Assert.Equal(new[] { 1, 2 }, p.Axes);
            Assert.True(p.SameQuantization);
            Assert.True(p.KeepDims);

            MeanOptions q = NonlinearParams.Mean(new[] { 1, 4, 4, 8 }, new[] { 2, 1 }, false, 0.1f, 3, 0.2f, 3, new[] { 1, 8 });
            Assert.False(q.SameQuantization);
            int m, s, fm, fs;
            NonlinearTestUtil.QuantizeMultiplier((double)0.1f / (double)0.2f, out m, out s);
            ReduceLiteral.Fold(m, s, 16, out fm, out fs);
            Assert.Equal(fm, q.Multiplier);
            Assert.Equal(fs, q.Shift);

            MeanOptions r;
            Assert.NotNull(NonlinearParams.TryMean(new[] { 2, 3, 4, 5 }, new[] { 1, 2, 3 }, false, 0.1f, 0, 0.1f, 0, null, out r));
            Assert.NotNull(NonlinearParams.TryMean(new[] { 1, 1, 1, 1, 1, 2 }, new[] { 5 }, false, 0.1f, 0, 0.1f, 0, null, out r));
            Assert.NotNull(NonlinearParams.TryMean(new[] { 2, 3 }, new[] { 2 }, false, 0.1f, 0, 0.1f, 0, null, out r));
            Assert.NotNull(NonlinearParams.TryMean(new[] { 2, 3 }, new[] { 1 }, false, 0.1f, 0, 0.1f, 0, new[] { 3 }, out r));
            Assert.Null(NonlinearParams.TryMean(new[] { 2, 3 }, new[] { 1 }, false, 0.1f, 0, 0.1f, 0, new[] { 2 }, out r));
            Assert.Throws<ArgumentException>(() => NonlinearParams.Mean(new[] { 2, 0 }, new[] { 1 }, false, 0.1f, 0, 0.1f, 0));
            Assert.Equal(4 * 2 + 4, Edge.Kernels.Reference.Mean.ScratchLength(new[] { 1, 4, 4, 2 }, new[] { 0, 1, 1 }));
        }

        /// <summary>
        /// Literal port of TFLM's int8 MEAN: micro/kernels/reduce_common.cc EvalIntegerMean (PrepareMeanOrSumHelper
        /// constants) over kernels/internal/reference/reduce.h.
        /// </summary>
        internal static class ReduceLiteral
        {
            public static sbyte[] EvalIntegerMean(sbyte[] input, int[] inputDims, int[] axis, int inZp, float inScale, int outZp, float outScale)
            {
                // PrepareMeanOrSumHelper: QuantizeMultiplier(double(in_scale) / double(out_scale))
                int multiplier, shift;
                NonlinearTestUtil.QuantizeMultiplier((double)inScale / (double)outScale, out multiplier, out shift);
                if (inZp == outZp && inScale == outScale)
                    return MeanSameQuantization(input, inputDims, axis);
                return QuantizedMean(input, inputDims, axis, inZp, multiplier, shift, outZp);
            }

            public static bool ResolveAxis(int numDims, int[] axis, long numAxis, int[] outAxis, out int outNumAxis)
            {
                outNumAxis = 0;
                if (numDims == 0) return true;
                for (long idx = 0; idx < numAxis; ++idx)
                {
                    int current = axis[idx] < 0 ? (axis[idx] + numDims) : axis[idx];
                    if (current < 0 || current >= numDims) return false;
                    bool isDup = false;
                    for (int j = 0; j < outNumAxis; ++j)
                    {
                        if (outAxis[j] == current) { isDup = true; break; }
                    }
                    if (!isDup) { outAxis[outNumAxis] = current; outNumAxis += 1; }
                }
                return true;
            }

            public static int ReducedOutputOffset(int numDims, int[] dims, int[] index, int numAxis, int[] axis)
            {
                if (numDims == 0) return 0;
                int offset = 0;
                for (int idx = 0; idx < numDims; ++idx)
                {
                    bool isAxis = false;
                    if (axis != null)
                    {
                        for (int axisIdx = 0; axisIdx < numAxis; ++axisIdx)
                        {
                            if (idx == axis[axisIdx]) { isAxis = true; break; }
                        }
                    }
                    if (!isAxis) offset = offset * dims[idx] + index[idx];
                }
                return offset;
            }

            public static bool NextIndex(int numDims, int[] dims, int[] current)
            {
                if (numDims == 0) return false;
                int carry = 1;
                for (int idx = numDims - 1; idx >= 0; --idx)
                {
                    int currentVal = current[idx] + carry;
                    if (dims[idx] == currentVal) current[idx] = 0;
                    else { current[idx] = currentVal; carry = 0; break; }
                }
                return carry == 0;
            }

            // ReduceSumImpl<int8_t, int32_t> via Reduce: output_data[out] = AddTensorValuesWithExpectedOverflow(...)
            private static int[] SumAndCount(sbyte[] input, int[] inputDims, int[] axis, out int numOutputs, out int numElementsInAxis)
            {
                int numDims = inputDims.Length;
                var resolved = new int[Math.Max(1, axis.Length)];
                int numResolved;
                if (!ResolveAxis(numDims, axis, axis.Length, resolved, out numResolved)) throw new InvalidOperationException("ResolveAxis");
                numOutputs = 1;
                for (int d = 0; d < numDims; d++)
                {
                    bool reduced = false;
                    for (int k = 0; k < numResolved; k++) if (resolved[k] == d) reduced = true;
                    if (!reduced) numOutputs *= inputDims[d];
                }
                var tempSum = new int[numOutputs];
                var inputIter = new int[numDims];
                do
                {
                    int inputOffset = ReducedOutputOffset(numDims, inputDims, inputIter, 0, null);
                    int outputOffset = ReducedOutputOffset(numDims, inputDims, inputIter, numResolved, resolved);
                    tempSum[outputOffset] = unchecked((int)((uint)tempSum[outputOffset] + (uint)(int)input[inputOffset]));
                } while (NextIndex(numDims, inputDims, inputIter));
                numElementsInAxis = 1;
                for (int k = 0; k < numResolved; k++) numElementsInAxis *= inputDims[resolved[k]];
                return tempSum;
            }

            // reference_ops::Mean<int8_t, int32_t>
            public static sbyte[] MeanSameQuantization(sbyte[] input, int[] inputDims, int[] axis)
            {
                int numOutputs, numElementsInAxis;
                int[] tempSum = SumAndCount(input, inputDims, axis, out numOutputs, out numElementsInAxis);
                var output = new sbyte[numOutputs];
                if (numElementsInAxis > 0)
                    for (int idx = 0; idx < numOutputs; ++idx)
                        output[idx] = unchecked((sbyte)(tempSum[idx] / numElementsInAxis));
                return output;
            }

            // reference_ops::QuantizedMeanOrSum<int8_t, int32_t>(compute_sum = false), folding at "run time"
            public static sbyte[] QuantizedMean(sbyte[] input, int[] inputDims, int[] axis, int inputZeroPoint,
                                                int outputMultiplier, int outputShift, int outputZeroPoint)
            {
                int numOutputs, numElementsInAxis;
                int[] tempSum = SumAndCount(input, inputDims, axis, out numOutputs, out numElementsInAxis);
                Fold(outputMultiplier, outputShift, numElementsInAxis, out outputMultiplier, out outputShift);
                var output = new sbyte[numOutputs];
                for (int idx = 0; idx < numOutputs; ++idx)
                {
                    int shiftedSum = unchecked((int)(tempSum[idx] - (long)inputZeroPoint * numElementsInAxis));
                    int o = NonlinearTflmLiteral.MultiplyByQuantizedMultiplier(shiftedSum, outputMultiplier, outputShift) + outputZeroPoint;
                    o = Math.Min(Math.Max(o, -128), 127);
                    output[idx] = (sbyte)o;
                }
                return output;
            }

            // "Readapt output rescaling when calculating the mean to integrate a 1/num_elements_in_axis multiplier."
            public static void Fold(int outputMultiplier, int outputShift, long numElementsInAxis, out int multiplier, out int shift)
            {
                int s = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)numElementsInAxis);
                s = Math.Min(s, 32);
                s = Math.Min(s, 31 + outputShift);
                multiplier = (int)(((long)outputMultiplier << s) / numElementsInAxis);
                shift = outputShift - s;
            }
        }
    }
}
