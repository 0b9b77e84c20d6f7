using System;

namespace Edge.SampleGen
{
    /// <summary>
    /// A 1 → 16 → 16 → 1 ReLU MLP trained in double precision to approximate sin(x) on [0, 2π] (the shape of
    /// TFLite Micro's hello_world model; the data, initialisation and training here are our own).
    ///
    /// Everything is bit-for-bit reproducible on any IEEE-754 host: the data come from a fixed-seed SplitMix64
    /// generator, the targets from <see cref="Sin"/> (a Taylor series built from +, −, ×, ÷ only, so no
    /// dependence on the platform's libm), and training is plain full-batch Adam whose only non-basic operation
    /// is <see cref="Math.Sqrt"/> (correctly rounded by IEEE 754). Weights use TFLite's fully-connected layout,
    /// [units, depth] = [out, in].
    /// </summary>
    public sealed class SineMlp
    {
        public const int Hidden = 16;
        public const double TwoPi = 6.283185307179586; // nearest double to 2π

        // Layer l: W[l] is [out, in] row-major, B[l] is [out].
        public readonly double[] W1 = new double[Hidden * 1], B1 = new double[Hidden];
        public readonly double[] W2 = new double[Hidden * Hidden], B2 = new double[Hidden];
        public readonly double[] W3 = new double[1 * Hidden], B3 = new double[1];

        /// <summary>Training settings. The defaults are what samples/sine/sine_int8.tflite was made with.</summary>
        public sealed class Options
        {
            public ulong Seed = 0x5EED_0005_1E00_0001UL;
            /// <summary>Random training inputs, uniform in [0, 2π]; the two end points 0 and 2π are added to them.</summary>
            public int RandomSamples = 254;
            public int Steps = 3000;
            public double LearningRate = 0.01;
            /// <summary>The learning rate is divided by 3 after each of these fractions of the steps.</summary>
            public double[] DecayAt = { 0.5, 0.75, 0.9 };
        }

        /// <summary>Training inputs (x) and targets (sin x).</summary>
        public double[] TrainX { get; private set; }
        public double[] TrainY { get; private set; }
        public double FinalMse { get; private set; }

        /// <summary>sin(x) from range reduction to [−π, π] and a 15-term Taylor series: |error| &lt; 1e−14, deterministic.</summary>
        public static double Sin(double x)
        {
            double r = x - TwoPi * Math.Round(x / TwoPi, MidpointRounding.ToEven);
            double r2 = r * r, term = r, sum = r;
            for (int k = 1; k <= 15; k++)
            {
                term *= -r2 / ((2.0 * k) * (2.0 * k + 1.0));
                sum += term;
            }
            return sum;
        }

        /// <summary>SplitMix64 (Steele, Lea, Flood 2014): a tiny, fixed PRNG whose output never depends on the .NET version.</summary>
        private sealed class SplitMix64
        {
            private ulong _s;
            public SplitMix64(ulong seed) { _s = seed; }
            public ulong Next()
            {
                ulong z = _s += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
            /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
            public double NextDouble() => (Next() >> 11) * (1.0 / 9007199254740992.0);
            public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();
        }

        public static SineMlp Train(Options o)
        {
            var net = new SineMlp();
            var rng = new SplitMix64(o.Seed);

            // Data: 0, 2π and RandomSamples uniform points in between.
            int n = o.RandomSamples + 2;
            var xs = new double[n];
            xs[0] = 0.0;
            xs[1] = TwoPi;
            for (int i = 2; i < n; i++) xs[i] = rng.Uniform(0.0, TwoPi);
            var ys = new double[n];
            for (int i = 0; i < n; i++) ys[i] = Sin(xs[i]);
            net.TrainX = xs;
            net.TrainY = ys;

            // Initialisation. Layer 1 places each unit's ReLU kink at a random point of [0, 2π] with a random
            // slope sign, so no unit starts dead on the whole domain. Layers 2 and 3: He-uniform weights; a small
            // positive bias keeps layer-2 units alive at the start.
            for (int j = 0; j < Hidden; j++)
            {
                double slope = rng.Uniform(0.5, 1.5) * (rng.NextDouble() < 0.5 ? -1.0 : 1.0);
                double kink = rng.Uniform(0.0, TwoPi);
                net.W1[j] = slope;
                net.B1[j] = -slope * kink;
            }
            double lim2 = Math.Sqrt(6.0 / Hidden);
            for (int i = 0; i < net.W2.Length; i++) net.W2[i] = rng.Uniform(-lim2, lim2);
            for (int j = 0; j < Hidden; j++) net.B2[j] = 0.1;
            double lim3 = Math.Sqrt(6.0 / Hidden);
            for (int i = 0; i < net.W3.Length; i++) net.W3[i] = rng.Uniform(-lim3, lim3);
            net.B3[0] = 0.0;

            net.RunAdam(o);
            return net;
        }

        private void RunAdam(Options o)
        {
            double[][] p = { W1, B1, W2, B2, W3, B3 };
            var g = new double[p.Length][];
            var m = new double[p.Length][];
            var v = new double[p.Length][];
            for (int i = 0; i < p.Length; i++) { g[i] = new double[p[i].Length]; m[i] = new double[p[i].Length]; v[i] = new double[p[i].Length]; }
            const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
            double b1t = 1.0, b2t = 1.0, lr = o.LearningRate;
            int n = TrainX.Length;
            var h1 = new double[n * Hidden];
            var h2 = new double[n * Hidden];
            var d2 = new double[Hidden];
            var d1 = new double[Hidden];

            int decay = 0;
            for (int step = 0; step < o.Steps; step++)
            {
                while (decay < o.DecayAt.Length && step >= (int)(o.DecayAt[decay] * o.Steps)) { lr /= 3.0; decay++; }
                foreach (var gi in g) Array.Clear(gi);
                double loss = 0;
                for (int s = 0; s < n; s++)
                {
                    double x = TrainX[s];
                    // Forward.
                    for (int j = 0; j < Hidden; j++) { double a = W1[j] * x + B1[j]; h1[s * Hidden + j] = a > 0 ? a : 0; }
                    for (int j = 0; j < Hidden; j++)
                    {
                        double a = B2[j];
                        for (int k = 0; k < Hidden; k++) a += W2[j * Hidden + k] * h1[s * Hidden + k];
                        h2[s * Hidden + j] = a > 0 ? a : 0;
                    }
                    double y = B3[0];
                    for (int k = 0; k < Hidden; k++) y += W3[k] * h2[s * Hidden + k];
                    double err = y - TrainY[s];
                    loss += err * err;

                    // Backward (loss = mean squared error).
                    double dy = 2.0 * err / n;
                    g[5][0] += dy;
                    for (int k = 0; k < Hidden; k++)
                    {
                        g[4][k] += dy * h2[s * Hidden + k];
                        d2[k] = h2[s * Hidden + k] > 0 ? dy * W3[k] : 0;
                    }
                    Array.Clear(d1);
                    for (int j = 0; j < Hidden; j++)
                    {
                        if (d2[j] == 0) continue;
                        g[3][j] += d2[j];
                        for (int k = 0; k < Hidden; k++)
                        {
                            g[2][j * Hidden + k] += d2[j] * h1[s * Hidden + k];
                            d1[k] += d2[j] * W2[j * Hidden + k];
                        }
                    }
                    for (int k = 0; k < Hidden; k++)
                    {
                        if (h1[s * Hidden + k] <= 0) continue;
                        g[1][k] += d1[k];
                        g[0][k] += d1[k] * x;
                    }
                }
                FinalMse = loss / n;

                b1t *= beta1;
                b2t *= beta2;
                for (int i = 0; i < p.Length; i++)
                    for (int k = 0; k < p[i].Length; k++)
                    {
                        m[i][k] = beta1 * m[i][k] + (1 - beta1) * g[i][k];
                        v[i][k] = beta2 * v[i][k] + (1 - beta2) * g[i][k] * g[i][k];
                        double mh = m[i][k] / (1 - b1t), vh = v[i][k] / (1 - b2t);
                        p[i][k] -= lr * mh / (Math.Sqrt(vh) + eps);
                    }
            }
            FinalMse = Mse();
        }

        /// <summary>Double-precision prediction.</summary>
        public double Predict(double x)
        {
            Span<double> h1 = stackalloc double[Hidden];
            for (int j = 0; j < Hidden; j++) { double a = W1[j] * x + B1[j]; h1[j] = a > 0 ? a : 0; }
            double y = B3[0];
            for (int j = 0; j < Hidden; j++)
            {
                double a = B2[j];
                for (int k = 0; k < Hidden; k++) a += W2[j * Hidden + k] * h1[k];
                if (a > 0) y += W3[j] * a;
            }
            return y;
        }

        public double Mse()
        {
            double s = 0;
            for (int i = 0; i < TrainX.Length; i++) { double e = Predict(TrainX[i]) - TrainY[i]; s += e * e; }
            return s / TrainX.Length;
        }
    }
}
