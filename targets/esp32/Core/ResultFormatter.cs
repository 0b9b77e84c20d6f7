using System;
using Edge.Runtime;

namespace Edge.Esp32
{
    /// <summary>
    /// Turns the model's outputs into one serial line each: the raw int8 values, their dequantized values and
    /// the arg-max (the predicted class for a classifier). Reads the outputs in place from the arena.
    /// </summary>
    public static class ResultFormatter
    {
        /// <summary>How many values a line shows before it elides the rest (", ... (640 values)").</summary>
        public const int MaxValuesShown = 8;

        /// <summary>Index of the largest int8 value of output <paramref name="o"/> (first one on ties).</summary>
        public static int ArgMax(Interpreter interpreter, int o)
        {
            TensorInfo t = interpreter.Output(o);
            byte[] arena = interpreter.Arena;
            int best = 0;
            int bestValue = (sbyte)arena[t.DataOffset];
            for (int i = 1; i < t.ElementCount; i++)
            {
                int v = (sbyte)arena[t.DataOffset + i];
                if (v > bestValue) { bestValue = v; best = i; }
            }
            return best;
        }

        /// <summary>
        /// "out0 [1, 4] argmax 2 (0.969) q=[-128, -100, 120, -128] real=[0.000, 0.109, 0.969, 0.000]".
        /// <paramref name="labels"/> (may be null) names the arg-max class.
        /// </summary>
        public static string FormatOutput(Interpreter interpreter, int o, string[] labels)
        {
            TensorInfo t = interpreter.Output(o);
            if (t.Type != DType.Int8)
                return string.Concat("out", o.ToString(), " ", t.ShapeText(), " ", TensorInfo.DTypeName(t.Type), " (not printed: the formatter reads int8 outputs)");
            byte[] arena = interpreter.Arena;
            int n = t.ElementCount;
            int shown = n < MaxValuesShown ? n : MaxValuesShown;
            float scale = t.Scale;
            int zp = t.ZeroPoint;
            int arg = ArgMax(interpreter, o);
            string q = "";
            string real = "";
            for (int i = 0; i < shown; i++)
            {
                int v = (sbyte)arena[t.DataOffset + i];
                string sep = i == 0 ? "" : ", ";
                q = string.Concat(q, sep, v.ToString());
                real = string.Concat(real, sep, Text.Float3(Quantizer.Dequantize(v, scale, zp)));
            }
            if (shown < n)
            {
                string more = string.Concat(", ... (", n.ToString(), " values)");
                q = string.Concat(q, more);
                real = string.Concat(real, more);
            }
            string argText = string.Concat("argmax ", arg.ToString());
            if (labels != null && arg < labels.Length) argText = string.Concat(argText, " ", labels[arg]);
            int argValue = (sbyte)arena[t.DataOffset + arg];
            argText = string.Concat(argText, " (", Text.Float3(Quantizer.Dequantize(argValue, scale, zp)), ")");
            return string.Concat(
                string.Concat("out", o.ToString(), " ", t.ShapeText(), " "),
                argText,
                string.Concat(" q=[", q, "] real=[", real),
                "]");
        }

        /// <summary>The line printed after running the embedded self-test.</summary>
        public static string SelfTestLine(SelfTestResult r)
        {
            if (r == null) throw new ArgumentNullException("r");
            if (!r.Present) return "self-test: none embedded (convert with edge convert --embed-test IN.npy)";
            return string.Concat(r.Passed ? "self-test: PASS - " : "self-test: FAIL - ", r.ToString());
        }

        /// <summary>"model: 3 ops, 2,704 file bytes, arena 32 bytes, input [1, 1] int8, 1 output(s)".</summary>
        public static string ModelLine(EdgeModel m)
        {
            TensorInfo input = m.Input(0);
            return string.Concat(
                string.Concat("model: ", m.Ops.Length.ToString(), " ops, ", m.Data.Length.ToString()),
                string.Concat(" file bytes, arena ", m.ArenaBytes.ToString(), " bytes, input "),
                string.Concat(input.ShapeText(), " ", TensorInfo.DTypeName(input.Type)),
                string.Concat(", ", m.OutputCount.ToString(), " output(s)"));
        }
    }
}
