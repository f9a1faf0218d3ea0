// Get.java: the oracle's Java client. One GET per NAME=URL argument through
// HttpsURLConnection with the JVM's default trust store, one line each:
// NAME, "ok" or "fail", and the exception as Java prints it.
import java.io.InputStream;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;

public class Get {
	public static void main(String[] args) {
		for (String a : args) {
			int i = a.indexOf('=');
			String name = a.substring(0, i);
			try {
				HttpsURLConnection c = (HttpsURLConnection)
				    new URL(a.substring(i + 1)).openConnection();
				c.setConnectTimeout(10000);
				c.setReadTimeout(10000);
				int code = c.getResponseCode();
				try (InputStream in = code >= 400 ?
				    c.getErrorStream() : c.getInputStream()) {
					if (in != null)
						in.readAllBytes();
				}
				System.out.println(name + "\tok\t-");
			} catch (Exception e) {
				System.out.println(name + "\tfail\t" +
				    e.toString().replace('\n', ' '));
			}
		}
	}
}
