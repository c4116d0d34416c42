import http from 'node:http';

/** A keep-alive JSON client for one server (lighter than fetch, which matters on a shared 2-core box). */
export function httpClient(baseUrl) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const { hostname, port } = new URL(baseUrl);
  // `json`: a body already in JSON text (sent as it is).
  return (method, path, { body, json: text, token, headers = {} } = {}) =>
    new Promise((resolve, reject) => {
      const payload = text ?? (body === undefined ? undefined : JSON.stringify(body));
      const request = http.request(
        {
          agent,
          hostname,
          port,
          method,
          path,
          headers: {
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
            ...headers,
          },
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = text;
            }
            resolve({ status: response.statusCode, body: json });
          });
        },
      );
      request.on('error', reject);
      if (payload !== undefined) request.write(payload);
      request.end();
    });
}
