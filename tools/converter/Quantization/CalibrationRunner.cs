using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Onnx;

namespace Edge.Converter.Quantization
{
    /// <summary>Runs the calibration samples through the float executor and reduces every activation's range.</summary>
    public static class CalibrationRunner
    {
        /// <summary>The float activations of a graph: its real inputs and every node output (not initializers).</summary>
        public static HashSet<string> Activations(OnnxModel m)
        {
            var s = new HashSet<string>(m.Graph.RealInputs.Select(i => i.Name), StringComparer.Ordinal);
            foreach (var n in m.Graph.Nodes)
                if (n.OpType != "Constant") foreach (var o in n.Outputs) if (o != "") s.Add(o);
            return s;
        }

        /// <param name="progress">stderr or null; a bar over samples (twice for the histogram methods).</param>
        public static Dictionary<string, TensorRange> Calibrate(OnnxModel model, CalibrationData data, CalibrationOptions options, TextWriter progress = null)
        {
            var exec = new FloatExecutor(model);
            var cal = new Calibrator(options);
            var acts = Activations(model);
            bool two = cal.NeedsHistogramPass;
            for (int pass = 0; pass < (two ? 2 : 1); pass++)
            {
                var bar = progress == null ? null : new ProgressBar(progress,
                    two ? (pass == 0 ? "calibrating: ranges    " : "calibrating: histograms") : "calibrating", data.Count);
                foreach (var x in data.Samples())
                {
                    var env = exec.Run(new Dictionary<string, FloatTensor> { [data.InputName] = x });
                    foreach (var name in acts)
                    {
                        if (!env.TryGetValue(name, out var t) || !t.IsFloat) continue;
                        if (pass == 0) cal.CollectRange(name, t.F); else cal.CollectHistogram(name, t.F);
                    }
                    bar?.Step();
                }
            }
            return cal.Compute();
        }
    }
}
