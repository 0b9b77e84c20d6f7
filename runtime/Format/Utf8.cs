namespace Edge.Runtime
{
    /// <summary>UTF-8 decoding by hand (the nanoFramework subset has no System.Text in CoreLibrary).</summary>
    public static class Utf8
    {
        /// <summary>Decodes <paramref name="count"/> bytes; malformed sequences become U+FFFD.</summary>
        public static string Decode(byte[] b, int offset, int count)
        {
            char[] chars = new char[count];
            int n = 0;
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int c = b[i];
                int need;
                int cp;
                if (c < 0x80) { chars[n++] = (char)c; i++; continue; }
                else if ((c & 0xE0) == 0xC0) { need = 1; cp = c & 0x1F; }
                else if ((c & 0xF0) == 0xE0) { need = 2; cp = c & 0x0F; }
                else if ((c & 0xF8) == 0xF0) { need = 3; cp = c & 0x07; }
                else { chars[n++] = '\uFFFD'; i++; continue; }
                if (i + need >= end) { chars[n++] = '\uFFFD'; i++; continue; }
                bool ok = true;
                for (int k = 1; k <= need; k++)
                {
                    int cc = b[i + k];
                    if ((cc & 0xC0) != 0x80) { ok = false; break; }
                    cp = (cp << 6) | (cc & 0x3F);
                }
                if (!ok) { chars[n++] = '\uFFFD'; i++; continue; }
                i += need + 1;
                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    chars[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else chars[n++] = (char)cp;
            }
            return new string(chars, 0, n);
        }
    }
}
