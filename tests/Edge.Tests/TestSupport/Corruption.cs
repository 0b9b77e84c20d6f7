using System;
using Edge.Runtime;

namespace Edge.Tests
{
    /// <summary>Random corruption of a valid .edge file: each corrupted copy must be rejected at load, or load and run.</summary>
    public static class Corruption
    {
        /// <summary>
        /// Overwrites 1–3 random bytes of <paramref name="good"/> per attempt. A copy the verifier rejects counts as
        /// rejected; any other copy is loaded and, unless its arena exceeds 64 MiB, run once on zero inputs, which
        /// must not throw. Returns the two counts (they add up to <paramref name="attempts"/>).
        /// </summary>
        public static (int Rejected, int Loaded) RejectOrRun(byte[] good, int seed, int attempts = 400)
        {
            var rnd = new Random(seed);
            int rejected = 0, loaded = 0;
            for (int attempt = 0; attempt < attempts; attempt++)
            {
                var f = (byte[])good.Clone();
                int flips = 1 + rnd.Next(3);
                for (int k = 0; k < flips; k++) f[rnd.Next(f.Length)] = (byte)rnd.Next(256);
                EdgeModel m;
                try { m = EdgeModel.Load(f); }
                catch (EdgeFormatException) { rejected++; continue; }
                if (m.ArenaBytes > 64 << 20) { loaded++; continue; }
                var interp = new Interpreter(m, new byte[m.ArenaBytes]);
                for (int i = 0; i < m.InputCount; i++) interp.SetInput(i, new byte[m.Input(i).SizeBytes], 0);
                interp.Invoke();   // must not throw
                loaded++;
            }
            return (rejected, loaded);
        }
    }
}
