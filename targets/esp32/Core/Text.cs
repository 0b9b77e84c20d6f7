namespace Edge.Esp32
{
    /// <summary>
    /// Number formatting with integer arithmetic only, so the board (nanoFramework's native float formatting)
    /// and the host tests print the same characters.
    /// </summary>
    public static class Text
    {
        /// <summary>Thousandths as a decimal: 1234 → "1.234", -5 → "-0.005".</summary>
        public static string Milli(long thousandths)
        {
            bool negative = thousandths < 0;
            ulong v = negative ? (ulong)(-(thousandths + 1)) + 1 : (ulong)thousandths;
            ulong whole = v / 1000;
            int frac = (int)(v % 1000);
            string f = frac.ToString();
            if (frac < 10) f = string.Concat("00", f);
            else if (frac < 100) f = string.Concat("0", f);
            return string.Concat(negative ? "-" : "", whole.ToString(), ".", f);
        }

        /// <summary>A float rounded half away from zero to thousandths: 0.8755f → "0.876" (saturates at ±9.2e15).</summary>
        public static string Float3(float value)
        {
            if (float.IsNaN(value)) return "NaN";
            double d = (double)value * 1000.0;
            if (d > 9.2e15) d = 9.2e15;
            if (d < -9.2e15) d = -9.2e15;
            double r = d >= 0 ? System.Math.Floor(d + 0.5) : -System.Math.Floor(-d + 0.5);
            return Milli((long)r);
        }
    }
}
