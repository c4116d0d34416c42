// Generated from the server's /openapi.json by `npm run gen:api -w @concord/web`; do not edit.
// A test fails when this file no longer matches the server's API.
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/log/checkpoint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest published checkpoint (C2SP tlog-checkpoint signed note) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/log/tile/{*}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** C2SP tlog-tiles: hash tiles and entry bundles */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    "*": string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database answers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            database: "pglite" | "postgres";
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register an account with a self-held key
         * @description Takes a signed identity.account.registered envelope; the optional profile (personal data) is kept in the database only, never on the log.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        envelope: components["schemas"]["EnvelopeInput"];
                        profile?: {
                            displayName?: string;
                            /** Format: email */
                            email?: string;
                            phone?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{did}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public view of an account (no personal data) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description An Ed25519 did:key. */
                    did: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description True when the platform holds this account key. */
                            custodial: boolean;
                            /** @description An Ed25519 did:key. */
                            did: string;
                            /** @description ISO 8601 */
                            registeredAt: string;
                            roles: ("consumer" | "promoter" | "producer" | "expert" | "tester" | "nominator" | "operator" | "custodian" | "witness" | "juror")[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/custodial": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register an account whose key the platform holds
         * @description The platform generates the key and keeps it encrypted at rest; every envelope signed with it carries custody "platform". Convenient, but the platform can act in your name: choose a self-held key to avoid that. Takes an Idempotency-Key header.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        passphrase: string;
                        profile?: {
                            displayName?: string;
                            /** Format: email */
                            email?: string;
                            phone?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            receipt: {
                                actor: string;
                                /** @description Journal id of the accepted event. */
                                eventId: string;
                                /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                                leafHash: string;
                                /** @description Position of the envelope in the transparency log (decimal). */
                                logIndex: string;
                                /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                                proofUrl?: string;
                                /** @description True when this envelope was accepted earlier and this is its original result. */
                                replayed: boolean;
                                result: {
                                    [key: string]: unknown;
                                };
                                type: string;
                            };
                            session: {
                                /** @description An Ed25519 did:key. */
                                did: string;
                                expiresAt: string;
                                /** @description Send as "Authorization: Bearer <token>". */
                                token: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/addresses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My shipping addresses, oldest first (at most 20) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                detail: string;
                                id: string;
                                phone: string;
                                recipient: string;
                                /** @description e.g. 浙江省 杭州市 西湖区 */
                                region: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Save a shipping address (personal data: kept in the database, never on the log)
         * @description A buyer keeps at most 20 addresses: saving one more answers 409 too_many_addresses, nothing saved; delete one first.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        detail: string;
                        phone: string;
                        recipient: string;
                        /** @description e.g. 浙江省 杭州市 西湖区 */
                        region: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            detail: string;
                            id: string;
                            phone: string;
                            recipient: string;
                            /** @description e.g. 浙江省 杭州市 西湖区 */
                            region: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/addresses/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete one of my shipping addresses (orders placed with it keep their copy) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/challenges": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Get a challenge to sign for sign-in
         * @description Sign the UTF-8 bytes of `message` with the DID key (Ed25519) and post it to /v1/auth/sessions.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description An Ed25519 did:key. */
                        did: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            challenge: string;
                            expiresAt: string;
                            message: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/custodial-sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in to a custodial account with its passphrase */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description An Ed25519 did:key. */
                        did: string;
                        passphrase: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description An Ed25519 did:key. */
                            did: string;
                            expiresAt: string;
                            /** @description Send as "Authorization: Bearer <token>". */
                            token: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign out (revoke this session token) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with a signed challenge */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        challenge: string;
                        /** @description An Ed25519 did:key. */
                        did: string;
                        /** @description base64url Ed25519 signature of the challenge message */
                        signature: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description An Ed25519 did:key. */
                            did: string;
                            expiresAt: string;
                            /** @description Send as "Authorization: Bearer <token>". */
                            token: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/blobs/{sha256}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An uploaded image by its SHA-256 (immutable, cacheable) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sha256: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The image bytes, served with their image/* type */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/cart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My cart, at today’s prices (price changes flagged) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                available: boolean;
                                cartPriceFen: string;
                                priceChanged: boolean;
                                priceFen: string | null;
                                productId: string | null;
                                quantity: number;
                                skuId: string;
                                stock: number;
                                titleEn: string | null;
                                titleZh: string | null;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/cart/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Put a quantity of a SKU in my cart (0 takes it out) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        quantity: number;
                        skuId: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                available: boolean;
                                cartPriceFen: string;
                                priceChanged: boolean;
                                priceFen: string | null;
                                productId: string | null;
                                quantity: number;
                                skuId: string;
                                stock: number;
                                titleEn: string | null;
                                titleZh: string | null;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/categories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Product categories, with the deposit each needs and its split policy override */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description fen, decimal string */
                                depositFen: string;
                                name: {
                                    en: string;
                                    zh: string;
                                };
                                parent: string | null;
                                slug: string;
                                /** @description Split policy override (bps), if any */
                                splitPolicy: {
                                    [key: string]: unknown;
                                } | null;
                            }[];
                            /** @description Pass as `cursor` for the next page; null on the last page */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/deposits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your deposit: what is held, what your listings require (producers) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            account: string;
                            balances: {
                                /** @description fen, decimal string */
                                creditsPending: string;
                                /** @description fen, decimal string */
                                creditsPosted: string;
                                /** @description fen, decimal string */
                                debitsPending: string;
                                /** @description fen, decimal string */
                                debitsPosted: string;
                            };
                            categories: {
                                /** @description fen, decimal string */
                                depositFen: string;
                                slug: string;
                            }[];
                            /** @description Pending and posted credits less debits */
                            heldFen: string;
                            ledger: string;
                            /** @description Sum of the deposits of the categories of the producer's listed products */
                            requiredFen: string;
                            /** @description fen, decimal string */
                            shortfallFen: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Pay into your deposit (producers; requires an Idempotency-Key)
         * @description Creates your deposit account deposit:<did> if needed and a sandbox payment into it; once the payment succeeds (by webhook) the money is held there and counts toward listing. `simulate` chooses the sandbox outcome.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        amount: string;
                        /**
                         * @description sandbox only; default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            account: string;
                            /** @description fen, decimal string */
                            amountFen: string;
                            paymentId: string;
                            /** @enum {string} */
                            status: "created" | "succeeded" | "failed" | "timed_out";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/deposits/movements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The movements of your deposit account, oldest first, by pages (producers)
         * @description Every ledger transfer of your deposit account deposit:<did>: top-ups, cuts, paybacks, refunds. Only your own account: there is no way to name another.
         */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description deposit:<did> */
                            account: string;
                            items: {
                                /** @description fen, decimal string */
                                amountFen: string;
                                /** @description The ledger transfer code */
                                code: string;
                                /** @description When it was recorded (ISO 8601) */
                                createdAt: string;
                                /**
                                 * @description Into or out of your deposit (a void takes back the hold it cancels)
                                 * @enum {string}
                                 */
                                direction: "in" | "out";
                                /** @description The ledger transfer kind: single, pending (a hold), post or void (of a hold) */
                                kind: string;
                                /** @description What it refers to: a payment id, a consensus round, a rating */
                                reference: string | null;
                                /** @description For a hold: pending, posted, voided or expired */
                                state: string | null;
                                /** @description The ledger transfer */
                                transferId: string;
                                /**
                                 * @description What it was, as the ledger records it: top_up (a deposit payment, held as it arrives), top_up_received (that hold posted — the same money, now received: it does not add to what you hold), refund (a deposit payment paid back), cut (taken by a rating or a failed verdict), cut_restored (a cut paid back), other
                                 * @enum {string}
                                 */
                                type: "top_up" | "top_up_received" | "refund" | "cut" | "cut_restored" | "other";
                            }[];
                            /** @description Pass as `cursor` for the next page; null on the last page */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a product image (signed-in accounts)
         * @description The body is the image: Content-Type image/png, image/jpeg or image/webp, at most CONCORD_IMAGE_MAX_BYTES (default 2 MiB; 413 image_too_large); bytes that are not that type are refused (415 not_an_image). Stored by SHA-256: the same upload twice gives the same answer.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description The image file itself (binary) */
            requestBody: {
                content: {
                    "image/jpeg": unknown;
                    "image/png": unknown;
                    "image/webp": unknown;
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            mime: "image/png" | "image/jpeg" | "image/webp";
                            sha256: string;
                            size: number;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Quality models with their latest version; `category` includes the categories below it */
        get: {
            parameters: {
                query?: {
                    category?: string;
                    cursor?: string;
                    limit?: number;
                    /** @description only the models of this expert */
                    owner?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                category: string;
                                id: string;
                                latestVersion: number;
                                name: {
                                    en: string;
                                    zh: string;
                                };
                                ownerDid: string;
                                standards: string[];
                                /** @enum {string} */
                                status: "published" | "deprecated";
                            }[];
                            /** @description Pass as `cursor` for the next page; null on the last page */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A quality model with every version */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            ownerDid: string;
                            versions: {
                                category: string;
                                definition: {
                                    attributes: {
                                        grades?: string[];
                                        key: string;
                                        /** @enum {string} */
                                        kind: "numeric" | "boolean" | "grade";
                                        label: {
                                            en: string;
                                            zh: string;
                                        };
                                        mandatory: boolean;
                                        max?: number;
                                        min?: number;
                                        testMethod: string;
                                        tolerance: number;
                                        unit: string;
                                        weight: number;
                                    }[];
                                    category: string;
                                    description?: string;
                                    name: {
                                        en: string;
                                        zh: string;
                                    };
                                    standards: string[];
                                };
                                deprecatedAt: string | null;
                                expertDid: string;
                                publishedAt: string;
                                /** @enum {string} */
                                status: "published" | "deprecated";
                                version: number;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search listed products
         * @description `q` matches Chinese and English (every query word, and every pair of adjacent Chinese characters, must occur); results by relevance then id. `category` includes the categories below it; `minPrice`/`maxPrice` (fen) keep products with a SKU price in the range.
         */
        get: {
            parameters: {
                query?: {
                    category?: string;
                    cursor?: string;
                    limit?: number;
                    maxPrice?: string;
                    minPrice?: string;
                    q?: string;
                    verdict?: "untested" | "testing" | "passed" | "failed";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                category: string;
                                id: string;
                                imageUrls: string[];
                                listedAt: string | null;
                                /** @description fen, decimal string */
                                maxPriceFen: string;
                                /** @description fen, decimal string */
                                minPriceFen: string;
                                model: {
                                    id: string;
                                    version: number;
                                };
                                producerDid: string;
                                /** @enum {string} */
                                status: "draft" | "listed" | "delisted" | "suspended";
                                title: {
                                    en: string | null;
                                    zh: string;
                                };
                                updatedAt: string;
                                /** @enum {string} */
                                verdict: "untested" | "testing" | "passed" | "failed";
                            }[];
                            /** @description Pass as `cursor` for the next page; null on the last page */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/products/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A product: SKUs with stock, lots, the quality model version, each claim beside its attribute, the verdict
         * @description Drafts are shown only to their producer (send the session token).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Each attribute beside its claimed value */
                            attributes: {
                                claim: number | boolean | string | null;
                                grades?: string[];
                                key: string;
                                /** @enum {string} */
                                kind: "numeric" | "boolean" | "grade";
                                label: {
                                    en: string;
                                    zh: string;
                                };
                                mandatory: boolean;
                                max?: number;
                                min?: number;
                                testMethod: string;
                                tolerance: number;
                                unit: string;
                                weight: number;
                            }[];
                            category: string;
                            claims: {
                                [key: string]: number | boolean | string;
                            };
                            /** @description The latest decided consensus round of the product's current claims (null: none yet) */
                            consensus: {
                                attributes: {
                                    claimed: number | boolean | string | null;
                                    conforms: boolean | null;
                                    /** @description The testers' weighted median */
                                    consensus: number | boolean | string | null;
                                    key: string;
                                    mandatory: boolean;
                                }[];
                                badge: {
                                    awardedAt: string;
                                    lotId: string;
                                    roundId: string;
                                } | null;
                                disclosure: {
                                    en: string;
                                    zh: string;
                                };
                                round: {
                                    /** @description The round's latest appeal (null: never appealed) */
                                    appeal: {
                                        caseId: string;
                                        instance: number;
                                        ruling: ("uphold" | "overturn") | null;
                                        /** @enum {string} */
                                        status: "awaiting_bond" | "voting" | "ruled" | "lapsed";
                                    } | null;
                                    appealUntil: string | null;
                                    decidedAt: string;
                                    /** @description Log index of the envelope that decided the round (its tally, or the ruling); null until sequenced */
                                    decidedLogIndex: number | null;
                                    id: string;
                                    lotId: string;
                                    /**
                                     * @description The testers' verdict; `verdict` differs when a jury overturned it on appeal
                                     * @enum {string}
                                     */
                                    tallyVerdict: "pass" | "fail";
                                    testersDrawn: number;
                                    /** @description Valid reveals: what the tally counted */
                                    testersRevealed: number;
                                    /** @enum {string} */
                                    verdict: "pass" | "fail";
                                };
                            } | null;
                            description: string;
                            id: string;
                            images: {
                                sha256: string;
                                url: string;
                            }[];
                            imageUrls: string[];
                            listedAt: string | null;
                            /** @description Log indexes of the signed envelopes behind this page (null until sequenced): GET /v1/log/entries/{index} */
                            log: {
                                /** @description The catalog.model.published envelope of the quality model version */
                                model: number | null;
                                /** @description The catalog.product.published envelope that made these claims */
                                product: number | null;
                            };
                            lots: {
                                lotId: string;
                                productionDate: string;
                                quantity: number;
                            }[];
                            /** @description fen, decimal string */
                            maxPriceFen: string;
                            /** @description fen, decimal string */
                            minPriceFen: string;
                            model: {
                                id: string;
                                version: number;
                            };
                            producerDid: string;
                            qualityModel: {
                                definition: {
                                    attributes: {
                                        grades?: string[];
                                        key: string;
                                        /** @enum {string} */
                                        kind: "numeric" | "boolean" | "grade";
                                        label: {
                                            en: string;
                                            zh: string;
                                        };
                                        mandatory: boolean;
                                        max?: number;
                                        min?: number;
                                        testMethod: string;
                                        tolerance: number;
                                        unit: string;
                                        weight: number;
                                    }[];
                                    category: string;
                                    description?: string;
                                    name: {
                                        en: string;
                                        zh: string;
                                    };
                                    standards: string[];
                                };
                                expertDid: string;
                                id: string;
                                /** @enum {string} */
                                status: "published" | "deprecated";
                                version: number;
                            };
                            skus: {
                                code: string;
                                id: string;
                                options: {
                                    [key: string]: string;
                                };
                                /** @description fen, decimal string */
                                priceFen: string;
                                stock: number;
                            }[];
                            /** @enum {string} */
                            status: "draft" | "listed" | "delisted" | "suspended";
                            suspendedReason: string | null;
                            title: {
                                en: string | null;
                                zh: string;
                            };
                            updatedAt: string;
                            /** @enum {string} */
                            verdict: "untested" | "testing" | "passed" | "failed";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Place a signed order and pay it into escrow (requires an Idempotency-Key)
         * @description Takes the `orders.order.placed` envelope the buyer signed from a quote, reserves the stock (never more than there is), records the order with the shipping address (off the log) and starts the payment; its webhook moves the order to paid. Prices that changed since the quote answer 409 price_changed: quote, review and sign again. An optional `X-Device-Id` header (8–128 of A–Z a–z 0–9 . _ : -, a stable id the app keeps) and the client IP feed the anti-abuse velocity checks; they are stored only as keyed hashes and never logged.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        addressId: string;
                        envelope: components["schemas"]["EnvelopeInput"];
                        /**
                         * @description sandbox payment outcome
                         * @default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            order: {
                                buyer: string;
                                cancelledAt: string | null;
                                cancelReason: string | null;
                                carrier: string | null;
                                completedAt: string | null;
                                createdAt: string;
                                currency: string;
                                deliverBy: string | null;
                                deliveredAt: string | null;
                                id: string;
                                lines: {
                                    position: number;
                                    productId: string;
                                    quantity: number;
                                    refundedQuantity: number;
                                    skuId: string;
                                    /** @description the English title when the order was placed, if any */
                                    titleEn: string | null;
                                    titleZh: string;
                                    unitPriceFen: string;
                                }[];
                                /** @description What was paid in money: totalFen less pointsFen. */
                                moneyFen: string;
                                paidAt: string | null;
                                payBy: string;
                                paymentId: string;
                                paymentStatus?: string;
                                /** @description The fen those points covered. */
                                pointsFen: string;
                                /** @description Points the buyer paid with (0: none). */
                                pointsSpent: string;
                                policyHash: string;
                                producer: string;
                                refundedFen: string;
                                refunds?: {
                                    amountFen: string;
                                    createdAt: string;
                                    decisionReason: string | null;
                                    lines: {
                                        position: number;
                                        quantity: number;
                                    }[];
                                    reason: string;
                                    refundId: string;
                                    status: string;
                                }[];
                                returnWindowEnds: string | null;
                                shippedAt: string | null;
                                shipping?: {
                                    detail: string;
                                    phone: string;
                                    recipient: string;
                                    region: string;
                                };
                                /** @enum {string} */
                                status: "created" | "paid" | "shipped" | "delivered" | "completed" | "cancelled" | "refunded";
                                totalFen: string;
                                trackingNumber?: string | null;
                            };
                            receipt: {
                                actor: string;
                                /** @description Journal id of the accepted event. */
                                eventId: string;
                                /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                                leafHash: string;
                                /** @description Position of the envelope in the transparency log (decimal). */
                                logIndex: string;
                                /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                                proofUrl?: string;
                                /** @description True when this envelope was accepted earlier and this is its original result. */
                                replayed: boolean;
                                result: {
                                    [key: string]: unknown;
                                };
                                type: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/checkout/quote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Prepare my cart’s orders at today’s prices: the bodies to review and sign
         * @description One order per producer (and split policy). Sign each `body` as an `orders.order.placed` envelope and send it to POST /v1/checkout. `priceChanges` lists items whose price moved since they were put in the cart: show them to the buyer before signing. To pay with points, say how many at most (`points`): the quote puts on each order, in turn, as many as its cap allows (`body.pointsSpent`) and says what is left to pay in money (`moneyDueFen`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The most points to pay with, over all the orders. */
                        points?: string;
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            orders: {
                                body: {
                                    [key: string]: unknown;
                                };
                                /** @description What is left to pay in money. */
                                moneyDueFen: string;
                                /** @description The fen the points on this order cover. */
                                pointsFen: string;
                                policy: {
                                    [key: string]: unknown;
                                };
                            }[];
                            /** @description The points the buyer can spend now. */
                            pointsHeld: string;
                            priceChanges: {
                                cartPriceFen: string;
                                priceFen: string;
                                skuId: string;
                            }[];
                            unavailable: {
                                reason: string;
                                skuId: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The platform's time: envelopes must be signed within the clock skew of it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description how far the time runs ahead of the real time */
                            aheadMs: number;
                            /** @description the platform's time (ISO 8601) */
                            now: string;
                            /** @description whether the operator can move the time forward (CONCORD_SANDBOX_CLOCK) */
                            sandbox: boolean;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/appeals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Appeal a verdict or a ruling with a bond (requires an Idempotency-Key)
         * @description Takes the signed `consensus.appeal.filed` envelope and starts the bond's payment (2^instance × the base bond); once it is paid the jury is drawn. `simulate` picks the sandbox payment's outcome.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        envelope: components["schemas"]["EnvelopeInput"];
                        /**
                         * @description sandbox payment outcome
                         * @default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            appeal: {
                                appealUntil: string | null;
                                appellant: string;
                                bondFen: string;
                                caseId: string;
                                checkpointRoot: string | null;
                                commitDeadline: string | null;
                                grounds: string;
                                instance: number;
                                jurors: {
                                    coherent: boolean | null;
                                    committed: boolean;
                                    juror: string;
                                    revealed: boolean;
                                    /** @description The juror's share of the jury fee, once ruled. */
                                    rewardFen: string | null;
                                    /** @description Paid to the juror's backers when coherent, once ruled. */
                                    rewardPoints: string | null;
                                    /** @description Slashed from the juror's backers when incoherent, once ruled. */
                                    slashPoints: string | null;
                                    /** @description The points nominators had behind the juror when it was drawn. */
                                    stakePoints: string;
                                    status: string | null;
                                    /** @description Shown once the reveal deadline has passed. */
                                    vote: ("uphold" | "overturn") | null;
                                }[];
                                paymentId: string;
                                revealDeadline: string | null;
                                roundId: string;
                                ruling: ("uphold" | "overturn") | null;
                                /** @enum {string} */
                                status: "awaiting_bond" | "voting" | "ruled" | "lapsed";
                                /** @enum {string} */
                                verdictAppealed: "pass" | "fail";
                            };
                            receipt: {
                                actor: string;
                                /** @description Journal id of the accepted event. */
                                eventId: string;
                                /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                                leafHash: string;
                                /** @description Position of the envelope in the transparency log (decimal). */
                                logIndex: string;
                                /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                                proofUrl?: string;
                                /** @description True when this envelope was accepted earlier and this is its original result. */
                                replayed: boolean;
                                result: {
                                    [key: string]: unknown;
                                };
                                type: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/appeals/{caseId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An appeal case: every instance, its jury, votes (after the reveal deadline) and ruling */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    caseId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            caseId: string;
                            instances: {
                                appealUntil: string | null;
                                appellant: string;
                                bondFen: string;
                                caseId: string;
                                checkpointRoot: string | null;
                                commitDeadline: string | null;
                                grounds: string;
                                instance: number;
                                jurors: {
                                    coherent: boolean | null;
                                    committed: boolean;
                                    juror: string;
                                    revealed: boolean;
                                    /** @description The juror's share of the jury fee, once ruled. */
                                    rewardFen: string | null;
                                    /** @description Paid to the juror's backers when coherent, once ruled. */
                                    rewardPoints: string | null;
                                    /** @description Slashed from the juror's backers when incoherent, once ruled. */
                                    slashPoints: string | null;
                                    /** @description The points nominators had behind the juror when it was drawn. */
                                    stakePoints: string;
                                    status: string | null;
                                    /** @description Shown once the reveal deadline has passed. */
                                    vote: ("uphold" | "overturn") | null;
                                }[];
                                paymentId: string;
                                revealDeadline: string | null;
                                roundId: string;
                                ruling: ("uphold" | "overturn") | null;
                                /** @enum {string} */
                                status: "awaiting_bond" | "voting" | "ruled" | "lapsed";
                                /** @enum {string} */
                                verdictAppealed: "pass" | "fail";
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/candidates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A category's panel candidates, by DID: commission, experience power now, and backing
         * @description Public, so nominators can choose. Stand with a signed `consensus.candidate.declared` {category, commissionBps} (testers); back candidates with `consensus.nomination.set` {targets, stakePoints}.
         */
        get: {
            parameters: {
                query: {
                    /** @description The last DID of the previous page (nextAfter) */
                    after?: string;
                    category: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            category: string;
                            items: {
                                /** @description Σ of the stake of the nominations naming this candidate */
                                backingPoints: string;
                                category: string;
                                commissionBps: number;
                                createdAt: string;
                                declaredEventId: string;
                                did: string;
                                /** @description Still holds the tester role: only eligible candidates are elected */
                                eligible: boolean;
                                /** @description Experience power now */
                                ep: number;
                                nominators: number;
                                updatedAt: string;
                            }[];
                            nextAfter: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My candidacies and panel seats, my nomination, my locked stake and unlocks, my experience power */
        get: {
            parameters: {
                query?: {
                    /** @description Unlocks older than this one (nextBefore of the previous page) */
                    before?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            candidacies: {
                                category: string;
                                commissionBps: number;
                                createdAt: string;
                                /** @description My seat on this category's panel this cycle */
                                seat: {
                                    backedPoints: string;
                                    cycle: number;
                                } | null;
                                updatedAt: string;
                            }[];
                            coolingPoints: string;
                            did: string;
                            ep: number;
                            /** @description All my locked points: the stake plus unlocks cooling down */
                            lockedPoints: string;
                            nextBefore: string | null;
                            nomination: {
                                setEventId: string;
                                /** @description Locked behind the targets */
                                stakePoints: string;
                                targets: string[];
                                updatedAt: string;
                            } | null;
                            /** @description Points I can use (not locked) */
                            pointsBalance: string;
                            unlocks: {
                                amountPoints: string;
                                createdAt: string;
                                nominator: string;
                                releasedAt: string | null;
                                requestedEventId: string;
                                /** @enum {string} */
                                status: "cooling" | "released";
                                /** @description When the cool-down ends and the points return */
                                unlockAt: string;
                                unlockId: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/me/jury": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The juries I sit on, with what I must do next and by when */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                caseId: string;
                                commitDeadline: string | null;
                                instance: number;
                                /** @enum {string} */
                                next: "commit" | "reveal" | "wait" | "done";
                                revealDeadline: string | null;
                                roundId: string;
                                status: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/me/rounds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The rounds I am drawn in, newest first, with what I must do next and by when */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                category: string;
                                /** @description The published checkpoint whose root seeds the draw: drawSortition({checkpointRoot: root, roundId, stage, …}) */
                                checkpoint: {
                                    root: string;
                                    size: number;
                                };
                                /** @description ISO 8601 */
                                commitDeadline: string;
                                committed: boolean;
                                cycle: number;
                                id: string;
                                lotId: string;
                                model: {
                                    id: string;
                                    version: number;
                                };
                                myStage: number;
                                next: {
                                    orderId: string | null;
                                    /**
                                     * @description buy the product; commit with `orderId`; wait for the reveal window (it opens at `until`); reveal; or nothing
                                     * @enum {string}
                                     */
                                    step: "buy" | "commit" | "wait" | "reveal" | "done" | "missed" | "closed";
                                    /** @description when the step must be done by (for wait: when the reveal window opens) */
                                    until: string | null;
                                };
                                /** @description ISO 8601 */
                                openedAt: string;
                                producer: string;
                                productId: string;
                                /** @description ISO 8601 */
                                revealDeadline: string;
                                revealStatus: ("valid" | "mismatch" | "early" | "late" | "missing") | null;
                                /** @description 0 for the first draw; each extension adds one */
                                stage: number;
                                /** @enum {string} */
                                status: "open" | "decided" | "inconclusive";
                                verdict: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/panels/{category}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A category's elected tester panel: the current cycle's, or `cycle`'s */
        get: {
            parameters: {
                query?: {
                    /** @description Default: the current cycle */
                    cycle?: number;
                };
                header?: never;
                path: {
                    category: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            category: string;
                            createdAt: string;
                            cycle: number;
                            /** @description resultDigest of the seqPhragmen result, as published */
                            digest: string;
                            /** @description The consensus.panel.elected envelope on the log */
                            electedEventId: string;
                            members: {
                                /** @description The stake the election assigned to this tester */
                                backedPoints: string;
                                /** @description Their commission now (null: no longer a candidate) */
                                commissionBps: number | null;
                                did: string;
                                ep: number;
                                /** @description 0 for the first elected */
                                round: number;
                            }[];
                            /** @description Seats asked: min(panel seats, eligible candidates); fewer are filled when few are backed */
                            seats: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/panels/elect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Elect a category's panel for the current cycle now (operator; the periodic job does it too)
         * @description Publishes `consensus.panel.elected` as a platform act. Refused: an unknown category (404), a panel already elected this cycle (409 panel_exists), no backed candidate (422 no_backed_candidates). Takes an optional Idempotency-Key.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        category: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            category: string;
                            createdAt: string;
                            cycle: number;
                            /** @description resultDigest of the seqPhragmen result, as published */
                            digest: string;
                            /** @description The consensus.panel.elected envelope on the log */
                            electedEventId: string;
                            members: {
                                /** @description The stake the election assigned to this tester */
                                backedPoints: string;
                                /** @description Their commission now (null: no longer a candidate) */
                                commissionBps: number | null;
                                did: string;
                                ep: number;
                                /** @description 0 for the first elected */
                                round: number;
                            }[];
                            /** @description Seats asked: min(panel seats, eligible candidates); fewer are filled when few are backed */
                            seats: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/refund-offers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The refunds offered to me because a product I bought failed its consensus round */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description ISO 8601 */
                                createdAt: string;
                                orderId: string;
                                /** @description The body to sign as an orders.refund.requested envelope to take the offer (everything not refunded) */
                                refundRequest: {
                                    [key: string]: unknown;
                                };
                                roundId: string;
                                /** @enum {string} */
                                status: "offered" | "taken" | "withdrawn";
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/refund-offers/{orderId}/take": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Take a refund offered after a failed verdict (requires an Idempotency-Key)
         * @description Send the offer's `refundRequest` signed as an `orders.refund.requested` envelope (no `lines`: everything not refunded yet). The platform approves it at once as operator (`orders.refund.approved`), whatever the order's state, completed included, and the offer is taken.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        envelope: components["schemas"]["EnvelopeInput"];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            approved: {
                                actor: string;
                                /** @description Journal id of the accepted event. */
                                eventId: string;
                                /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                                leafHash: string;
                                /** @description Position of the envelope in the transparency log (decimal). */
                                logIndex: string;
                                /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                                proofUrl?: string;
                                /** @description True when this envelope was accepted earlier and this is its original result. */
                                replayed: boolean;
                                result: {
                                    [key: string]: unknown;
                                };
                                type: string;
                            };
                            offer: {
                                /** @description ISO 8601 */
                                createdAt: string;
                                orderId: string;
                                /** @description The body to sign as an orders.refund.requested envelope to take the offer (everything not refunded) */
                                refundRequest: {
                                    [key: string]: unknown;
                                };
                                roundId: string;
                                /** @enum {string} */
                                status: "offered" | "taken" | "withdrawn";
                            };
                            orderStatus: string;
                            refundedFen: string;
                            requested: {
                                actor: string;
                                /** @description Journal id of the accepted event. */
                                eventId: string;
                                /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                                leafHash: string;
                                /** @description Position of the envelope in the transparency log (decimal). */
                                logIndex: string;
                                /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                                proofUrl?: string;
                                /** @description True when this envelope was accepted earlier and this is its original result. */
                                replayed: boolean;
                                result: {
                                    [key: string]: unknown;
                                };
                                type: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/rounds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Test rounds, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    /** @description only rounds of this producer's products */
                    producer?: string;
                    productId?: string;
                    status?: "open" | "decided" | "inconclusive";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                category: string;
                                /** @description The published checkpoint whose root seeds the draw: drawSortition({checkpointRoot: root, roundId, stage, …}) */
                                checkpoint: {
                                    root: string;
                                    size: number;
                                };
                                /** @description ISO 8601 */
                                commitDeadline: string;
                                cycle: number;
                                id: string;
                                lotId: string;
                                model: {
                                    id: string;
                                    version: number;
                                };
                                /** @description ISO 8601 */
                                openedAt: string;
                                producer: string;
                                productId: string;
                                /** @description ISO 8601 */
                                revealDeadline: string;
                                /** @description 0 for the first draw; each extension adds one */
                                stage: number;
                                /** @enum {string} */
                                status: "open" | "decided" | "inconclusive";
                                verdict: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Open a test round of a product lot now (operator; the platform signs consensus.round.opened)
         * @description Draws the initial testers from the category panel of this cycle, seeded by the latest published checkpoint. 409 round_open (the lot is being tested), no_panel, no_checkpoint, no_eligible_testers, not_listed; 404 for an unknown product or lot. An Idempotency-Key makes a retry safe.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        lotId: string;
                        productId: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The published checkpoint whose root seeds the draw: drawSortition({checkpointRoot: root, roundId, stage, …}) */
                            checkpoint: {
                                root: string;
                                size: number;
                            };
                            /** @description ISO 8601 */
                            commitDeadline: string;
                            cycle: number;
                            /** @description resultDigest of the sortition result */
                            drawDigest: string;
                            /** @description in the order drawn */
                            drawn: {
                                /** @description experience power when drawn */
                                ep: number;
                                /** @description the panel backing, in points */
                                stakePoints: string;
                                tester: string;
                                /** @description roundWeights weight: the draw and the tally use it */
                                weight: number;
                            }[];
                            /** @description the panel less conflicts of interest: what the sortition drew from */
                            eligible: {
                                /** @description experience power when drawn */
                                ep: number;
                                /** @description the panel backing, in points */
                                stakePoints: string;
                                tester: string;
                                /** @description roundWeights weight: the draw and the tally use it */
                                weight: number;
                            }[];
                            eventId: string;
                            logIndex: string;
                            lotId: string;
                            productId: string;
                            /** @description ISO 8601 */
                            revealDeadline: string;
                            roundId: string;
                            /** @description sortitionSeed(checkpoint root, round id, stage) */
                            seed: string;
                            stage: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/rounds/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A round: deadlines, the checkpoint and draws, each drawn tester’s weight, commit and reveal */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            category: string;
                            /** @description The published checkpoint whose root seeds the draw: drawSortition({checkpointRoot: root, roundId, stage, …}) */
                            checkpoint: {
                                root: string;
                                size: number;
                            };
                            /** @description ISO 8601 */
                            commitDeadline: string;
                            cycle: number;
                            draws: {
                                digest: string;
                                drawn: string[];
                                eventId: string;
                                seed: string;
                                stage: number;
                            }[];
                            id: string;
                            lotId: string;
                            model: {
                                id: string;
                                version: number;
                            };
                            /** @description ISO 8601 */
                            openedAt: string;
                            producer: string;
                            productId: string;
                            /** @description ISO 8601 */
                            revealDeadline: string;
                            /** @description reports and salts are shown once the reveal deadline has passed */
                            revealsPublic: boolean;
                            /** @description 0 for the first draw; each extension adds one */
                            stage: number;
                            /** @enum {string} */
                            status: "open" | "decided" | "inconclusive";
                            testers: {
                                accuracy: number | null;
                                commit: string | null;
                                committed: boolean;
                                committedAt: string | null;
                                /** @description experience power when drawn */
                                ep: number;
                                report: unknown | null;
                                revealedAt: string | null;
                                /** @description null until revealed; only valid counts */
                                revealStatus: ("valid" | "mismatch" | "early" | "late" | "missing") | null;
                                salt: string | null;
                                stage: number;
                                /** @description the panel backing, in points */
                                stakePoints: string;
                                tester: string;
                                /** @description roundWeights weight: the draw and the tally use it */
                                weight: number;
                            }[];
                            verdict: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consensus/rounds/{id}/tally": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A round's tallies (one per stage) and its rewards, as published, with their digests
         * @description Each tally `result` is protocol tallyRound’s result and `digest` its resultDigest. The rewards `result` holds `rewards` (protocol rewardRound’s result, which `digest` is of, computed with a pool of 0: the settlement cycle pays the real pool), the `inputs` to rerun it, the winners’ `shares` (accuracy × weight) and the `slashes` applied.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            appealUntil: string | null;
                            decidedAt: string | null;
                            rewards: {
                                /** @description ISO 8601 */
                                createdAt: string;
                                digest: string;
                                eventId: string;
                                result: {
                                    [key: string]: unknown;
                                };
                                stage: number;
                            } | null;
                            roundId: string;
                            stage: number;
                            /** @enum {string} */
                            status: "open" | "decided" | "inconclusive";
                            tallies: {
                                /** @description ISO 8601 */
                                createdAt: string;
                                digest: string;
                                eventId: string;
                                result: {
                                    [key: string]: unknown;
                                };
                                stage: number;
                            }[];
                            verdict: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/custodial/envelopes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign an envelope with your platform-held key, without submitting it
         * @description For custodial accounts and the requests that take a signed envelope (checkout, shipment, appeals): the platform signs it (custody "platform") and returns it; nothing is written. Send an Idempotency-Key so that a retry gets an envelope with the same nonce.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        body: {
                            [key: string]: unknown;
                        };
                        type: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            envelope: components["schemas"]["Envelope"];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/custodial/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit an event signed by your platform-held key
         * @description For custodial accounts: the platform signs the envelope (custody "platform") and submits it through the same pipeline as POST /v1/events. Send an Idempotency-Key to make retries safe.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        body: {
                            [key: string]: unknown;
                        };
                        type: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/custodian/holds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Holds into escrow accounts, with the totals still held (custodian, operator)
         * @description Pending holds come oldest first; `status` lists the posted, voided or expired ones instead, newest first. No party appears: only accounts, amounts and order ids.
         */
        get: {
            parameters: {
                query?: {
                    after?: string;
                    limit?: number;
                    status?: "pending" | "posted" | "voided" | "expired";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description What the hold put into escrow */
                                amount: string;
                                /** @description ISO 8601 */
                                createdAt: string;
                                /** @description The ledger account the money is held in, e.g. escrow:order:<order id> */
                                escrowAccount: string;
                                /** @description When the expiry job voids the hold if it is still pending; null: never */
                                expiresAt: string | null;
                                /** @description The currency, e.g. CNY */
                                ledger: string;
                                /** @description The order whose payment this is; null for other escrows (appeal bonds) */
                                orderId: string | null;
                                /** @description For a posted hold: the part posted (the rest went back by a refund) */
                                postedAmount: string | null;
                                /** @description The transfer's reference: for payments, the payment id */
                                reference: string | null;
                                /** @description When it was posted or voided (null while pending, and for expired ones) */
                                resolvedAt: string | null;
                                /** @enum {string} */
                                status: "pending" | "posted" | "voided" | "expired";
                                transferId: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last page */
                            nextCursor: string | null;
                            /** @description Every pending hold into escrow, per ledger, whatever the page and the status asked */
                            totals: {
                                /** @description minor units (fen or points) as a decimal string */
                                amount: string;
                                count: number;
                                ledger: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/custodian/releases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Releases waiting for the custodian’s signature (custodian, operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Always empty for now: releases are crowdfunding milestone payouts, and crowdfunding has not landed. The items' shape comes with it. */
                            releases: unknown[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/distribution/commissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My commissions, newest first: frozen (with the date they unfreeze), released, cancelled */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description minor units (fen or points) as a decimal string */
                                amountFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                cancelledFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                clawedBackFen: string;
                                createdAt: string;
                                earner: string;
                                frozenUntil: string;
                                id: string;
                                /** @enum {string} */
                                kind: "direct" | "override";
                                level: string;
                                orderId: string;
                                rateBps: number;
                                releasedAt: string | null;
                                /** @enum {string} */
                                status: "frozen" | "released" | "cancelled";
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/distribution/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My place in the channel: promoter level and upline, binding, inviter, figures, balances */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            balances: {
                                /** @description minor units (fen or points) as a decimal string */
                                debtFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                earningsAvailableFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                earningsFrozenFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                points: string;
                            };
                            boundTo: string | null;
                            invitedBy: string | null;
                            links: {
                                code: string;
                                createdAt: string;
                                /** @enum {string} */
                                kind: "invite" | "product" | "shop";
                                owner: string;
                                producer: string | null;
                                productId: string | null;
                                /** @description Where the link leads in the web app (relative to the site). */
                                url: string;
                            }[];
                            promoter: {
                                joinedAt: string;
                                level: string;
                                upline: string | null;
                            } | null;
                            stats: {
                                completedOrders: number;
                                directMembers: number;
                                invites: number;
                                /** @description minor units (fen or points) as a decimal string */
                                ownSalesFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                spendFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                teamSalesFen: string;
                                tier: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/distribution/me/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The customers bound to me now, newest first, with their orders and my commission on them */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                boundAt: string;
                                /** @description When the binding lapses without a new click; null: it doesn't */
                                boundUntil: string | null;
                                /** @description What I earned on their orders, net of refunds */
                                commissionFen: string;
                                /** @description Their completed orders attributed to me */
                                completedOrders: number;
                                did: string;
                                /** @description The name the account chose to show, if any; nothing else of it */
                                displayName: string | null;
                                /** @description The share link that bound them, when recorded */
                                link: {
                                    code: string;
                                    /** @enum {string} */
                                    kind: "invite" | "product" | "shop";
                                    producer: string | null;
                                    productId: string | null;
                                } | null;
                            }[];
                            /** @description Pass as `cursor` for the next page */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/distribution/me/team": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My direct team: the promoters I brought in, newest first, with their sales and teams */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                did: string;
                                /** @description The name the account chose to show, if any; nothing else of it */
                                displayName: string | null;
                                joinedAt: string;
                                level: string;
                                /** @description Their own direct team members */
                                members: number;
                                /** @description minor units (fen or points) as a decimal string */
                                ownSalesFen: string;
                                /** @description minor units (fen or points) as a decimal string */
                                teamSalesFen: string;
                            }[];
                            /** @description Pass as `cursor` for the next page */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/distribution/withdrawals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My withdrawals, newest first, by pages */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                amountFen: string;
                                createdAt: string;
                                decidedAt: string | null;
                                decidedBy: string | null;
                                /** @description the last four characters only */
                                destination: string;
                                did: string;
                                feeFen: string;
                                id: string;
                                /** @description what reaches the destination: the amount less the fee */
                                netFen: string;
                                note: string | null;
                                payoutId: string | null;
                                /**
                                 * @description review: waits for the operator; paying: sent to the provider; paid / failed: its outcome (a failed payout returns the amount and the fee); rejected: by the operator (nothing taken)
                                 * @enum {string}
                                 */
                                status: "review" | "paying" | "paid" | "failed" | "rejected";
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Withdraw earnings through the payment provider (requires an Idempotency-Key)
         * @description From your available earnings (released commission). A minimum amount and a fee (rounded up) apply; the rest is paid to `destination`. Above the review threshold the amount is held at once and the withdrawal waits for an operator. Refusals write nothing: 422 below_minimum, 409 exceeds_available.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        amountFen: string;
                        /** @description where the provider pays: a card or wallet id (personal data, kept off the log) */
                        destination: string;
                        id: string;
                        /**
                         * @description sandbox payout outcome
                         * @default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            amountFen: string;
                            createdAt: string;
                            decidedAt: string | null;
                            decidedBy: string | null;
                            /** @description the last four characters only */
                            destination: string;
                            did: string;
                            feeFen: string;
                            id: string;
                            /** @description what reaches the destination: the amount less the fee */
                            netFen: string;
                            note: string | null;
                            payoutId: string | null;
                            /**
                             * @description review: waits for the operator; paying: sent to the provider; paid / failed: its outcome (a failed payout returns the amount and the fee); rejected: by the operator (nothing taken)
                             * @enum {string}
                             */
                            status: "review" | "paying" | "paid" | "failed" | "rejected";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/distribution/withdrawals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of my withdrawals (the operator: anyone’s) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            amountFen: string;
                            createdAt: string;
                            decidedAt: string | null;
                            decidedBy: string | null;
                            /** @description the last four characters only */
                            destination: string;
                            did: string;
                            feeFen: string;
                            id: string;
                            /** @description what reaches the destination: the amount less the fee */
                            netFen: string;
                            note: string | null;
                            payoutId: string | null;
                            /**
                             * @description review: waits for the operator; paying: sent to the provider; paid / failed: its outcome (a failed payout returns the amount and the fee); rejected: by the operator (nothing taken)
                             * @enum {string}
                             */
                            status: "review" | "paying" | "paid" | "failed" | "rejected";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a signed envelope
         * @description Checks the schema of the envelope and of its type, the signature, the timestamp (±5 min), the nonce and the actor's role, then applies it in one transaction. 201 for a new event; 200 with `replayed: true` when the same envelope was accepted before. Nothing is written on any error.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["EnvelopeInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The event types this server accepts, with their body schemas and who may send them */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                allowed: ("unregistered" | "registered") | string[];
                                bodySchema: {
                                    [key: string]: unknown;
                                };
                                summary: string;
                                type: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger/accounts/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's balances */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description minor units (fen or points) as a decimal string */
                            balance: string;
                            code: string;
                            /** @description minor units (fen or points) as a decimal string */
                            creditsPending: string;
                            /** @description minor units (fen or points) as a decimal string */
                            creditsPosted: string;
                            /** @description minor units (fen or points) as a decimal string */
                            debitsPending: string;
                            /** @description minor units (fen or points) as a decimal string */
                            debitsPosted: string;
                            key: string;
                            ledger: string;
                            owner: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger/accounts/{key}/statement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's transfers, oldest first, paginated */
        get: {
            parameters: {
                query?: {
                    after?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description minor units (fen or points) as a decimal string */
                                amount: string;
                                code: string;
                                counterparty: string;
                                createdAt: string;
                                kind: string;
                                reference: string | null;
                                seq: string;
                                /** @enum {string} */
                                side: "debit" | "credit";
                                state: string | null;
                                transferId: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger/accounts/{key}/statement.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's whole statement as CSV (RFC 4180) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger/transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Apply a batch of transfers, all or none (operator)
         * @description Plain transfers, holds (`pending`), and `postPending`/`voidPending` of holds. Requires an Idempotency-Key: a retry gets the first answer. Transfer ids are idempotent too.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        transfers: {
                            amount?: string;
                            code: string;
                            creditAccount?: string;
                            debitAccount?: string;
                            id: string;
                            pending?: boolean;
                            postPending?: string;
                            reference?: string;
                            timeoutSeconds?: number;
                            voidPending?: string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            results: {
                                /** @description minor units (fen or points) as a decimal string */
                                amount: string;
                                id: string;
                                kind: string;
                                /** @enum {string} */
                                status: "created" | "exists";
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A share link: who shared what (public, so a landing page can say who invited you) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            code: string;
                            createdAt: string;
                            /** @enum {string} */
                            kind: "invite" | "product" | "shop";
                            owner: string;
                            producer: string | null;
                            productId: string | null;
                            /** @description Where the link leads in the web app (relative to the site). */
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links/{code}/qr.png": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The QR code of a share link, as a PNG (for posters and chats) */
        get: {
            parameters: {
                query?: {
                    /** @description the site's address the code points to; default: the address this request came to */
                    base?: string;
                    /** @description width in pixels */
                    size?: number;
                };
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/log/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Signed checkpoints, newest first, with the witnesses that cosigned each */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page: the page continues below it. */
                    before?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                cosignatures: {
                                    /** @description When it arrived. */
                                    at: string;
                                    /** @description The witness's key name. */
                                    witness: string;
                                }[];
                                createdAt: string;
                                /** @description True when a quorum of witnesses cosigned it. */
                                published: boolean;
                                /** @description base64 */
                                rootHash: string;
                                size: number;
                            }[];
                            /** @description Pass as `before` for the next page; null on the last. */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/log/consistency": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** RFC 9162 consistency proof between two tree sizes */
        get: {
            parameters: {
                query: {
                    from: number;
                    to: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            from: number;
                            proof: string[];
                            to: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/log/entries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Log entries, newest first, filtered by event type and/or actor
         * @description Only entries that have a log index. `integrated` says whether the published checkpoint includes the entry yet; `GET /v1/log/entries/{index}` serves it with its envelope and inclusion proof.
         */
        get: {
            parameters: {
                query?: {
                    /** @description An Ed25519 did:key. */
                    actor?: string;
                    /** @description `nextCursor` of the previous page: the page continues below it. */
                    before?: string;
                    limit?: number;
                    type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description did:key of the signer. */
                                actor: string;
                                /** @description Log index. */
                                index: number;
                                /** @description True when the published checkpoint includes the entry. */
                                integrated: boolean;
                                /** @description hex */
                                leafHash: string;
                                /** @description The envelope's timestamp (ISO 8601). */
                                ts: string;
                                type: string;
                            }[];
                            /** @description Pass as `before` for the next page; null on the last. */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/log/entries/{index}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One log entry with its inclusion proof to the latest published checkpoint */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    index: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            checkpoint: {
                                /** @description The checkpoint as a C2SP signed note, with witness cosignatures. */
                                note: string;
                                /** @description base64 root hash. */
                                rootHash: string;
                                /** @description Tree size of the checkpoint the proof leads to. */
                                size: number;
                            } | null;
                            envelope: components["schemas"]["Envelope"];
                            index: number;
                            /** @description False until a published checkpoint includes the entry; ask again. */
                            integrated: boolean;
                            /** @description hex */
                            leafHash: string;
                            /** @description RFC 9162 inclusion proof, base64 hashes. */
                            proof: string[] | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/log/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The log's origin, its checkpoint verifier key, its witnesses and the quorum
         * @description What `concord verify` trusts on first use; pin these keys with --trust for real audits.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            origin: string;
                            quorum: number;
                            /** @description C2SP signed-note verifier key of the log (Ed25519, type 0x01). */
                            verifierKey: string;
                            witnesses: {
                                /** @description cosignature/v1 verifier key (type 0x04). */
                                verifierKey: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/log/witnesses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The configured witnesses and how far each has cosigned */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Size of the newest signed checkpoint; 0 before the first. */
                            latestSize: number;
                            /** @description Size of the published checkpoint; 0 before the first. */
                            publishedSize: number;
                            /** @description Cosignatures a checkpoint needs to be published. */
                            quorum: number;
                            witnesses: {
                                /** @description When the oldest checkpoint it has not cosigned was signed; null when it is in step. */
                                behindSince: string | null;
                                /** @description Latest checkpoint size − lastCosignedSize. */
                                lag: number;
                                lastCosignedAt: string | null;
                                /** @description 0 when it has cosigned nothing yet. */
                                lastCosignedSize: number;
                                /** @description The witness's key name. */
                                name: string;
                                /**
                                 * @description in_step: it cosigned the latest checkpoint; silent: a checkpoint has waited for it over 60 s.
                                 * @enum {string}
                                 */
                                status: "in_step" | "lagging" | "silent";
                                /** @description Where the log sends it checkpoints. */
                                url: string | null;
                                /** @description cosignature/v1 verifier key. */
                                verifierKey: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in account, with its own profile */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description True when the platform holds this account key. */
                            custodial: boolean;
                            /** @description An Ed25519 did:key. */
                            did: string;
                            profile: {
                                displayName?: string;
                                /** Format: email */
                                email?: string;
                                phone?: string;
                            };
                            /** @description ISO 8601 */
                            registeredAt: string;
                            roles: ("consumer" | "promoter" | "producer" | "expert" | "tester" | "nominator" | "operator" | "custodian" | "witness" | "juror")[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Update your profile (kept in the database only) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        displayName?: string;
                        /** Format: email */
                        email?: string;
                        phone?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description True when the platform holds this account key. */
                            custodial: boolean;
                            /** @description An Ed25519 did:key. */
                            did: string;
                            profile: {
                                displayName?: string;
                                /** Format: email */
                                email?: string;
                                phone?: string;
                            };
                            /** @description ISO 8601 */
                            registeredAt: string;
                            roles: ("consumer" | "promoter" | "producer" | "expert" | "tester" | "nominator" | "operator" | "custodian" | "witness" | "juror")[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/reviews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Orders held by the anti-abuse checks, oldest first (operator; default: pending)
         * @description Decide each with a signed `distribution.review.approved` or `distribution.review.rejected` envelope {orderId, note?} (POST /v1/events). A held order earns no commission or points until approved; a rejected one never does.
         */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    status?: "pending" | "approved" | "rejected";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                buyer: string;
                                createdAt: string;
                                decidedAt: string | null;
                                decidedBy: string | null;
                                /** @description the decision envelope on the log */
                                eventId: string | null;
                                note: string | null;
                                orderId: string;
                                orderStatus: string;
                                producer: string;
                                reasons: {
                                    code: string;
                                    message: string;
                                }[];
                                /** @enum {string} */
                                status: "pending" | "approved" | "rejected";
                                totalFen: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/withdrawals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Withdrawals by status, oldest first (operator; default: those waiting for review) */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    status?: "review" | "paying" | "paid" | "failed" | "rejected";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                amountFen: string;
                                createdAt: string;
                                decidedAt: string | null;
                                decidedBy: string | null;
                                /** @description the last four characters only */
                                destination: string;
                                did: string;
                                feeFen: string;
                                id: string;
                                /** @description what reaches the destination: the amount less the fee */
                                netFen: string;
                                note: string | null;
                                payoutId: string | null;
                                /**
                                 * @description review: waits for the operator; paying: sent to the provider; paid / failed: its outcome (a failed payout returns the amount and the fee); rejected: by the operator (nothing taken)
                                 * @enum {string}
                                 */
                                status: "review" | "paying" | "paid" | "failed" | "rejected";
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/withdrawals/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve a withdrawal in review: its hold is released and its payout starts (operator)
         * @description An Idempotency-Key makes a retry safe; without one a second decision answers 409 not_in_review.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            /** @description optional: a decision may come with no body */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description why, for the record */
                        note?: string;
                        /**
                         * @description approval only: the sandbox payout outcome
                         * @default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            amountFen: string;
                            createdAt: string;
                            decidedAt: string | null;
                            decidedBy: string | null;
                            /** @description the last four characters only */
                            destination: string;
                            did: string;
                            feeFen: string;
                            id: string;
                            /** @description what reaches the destination: the amount less the fee */
                            netFen: string;
                            note: string | null;
                            payoutId: string | null;
                            /**
                             * @description review: waits for the operator; paying: sent to the provider; paid / failed: its outcome (a failed payout returns the amount and the fee); rejected: by the operator (nothing taken)
                             * @enum {string}
                             */
                            status: "review" | "paying" | "paid" | "failed" | "rejected";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/withdrawals/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reject a withdrawal in review: its hold is released, nothing is taken (operator)
         * @description An Idempotency-Key makes a retry safe; without one a second decision answers 409 not_in_review.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            /** @description optional: a decision may come with no body */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description why, for the record */
                        note?: string;
                        /**
                         * @description approval only: the sandbox payout outcome
                         * @default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            amountFen: string;
                            createdAt: string;
                            decidedAt: string | null;
                            decidedBy: string | null;
                            /** @description the last four characters only */
                            destination: string;
                            did: string;
                            feeFen: string;
                            id: string;
                            /** @description what reaches the destination: the amount less the fee */
                            netFen: string;
                            note: string | null;
                            payoutId: string | null;
                            /**
                             * @description review: waits for the operator; paying: sent to the provider; paid / failed: its outcome (a failed payout returns the amount and the fee); rejected: by the operator (nothing taken)
                             * @enum {string}
                             */
                            status: "review" | "paying" | "paid" | "failed" | "rejected";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My orders as buyer, or as producer (`as=producer`); newest first, by pages */
        get: {
            parameters: {
                query?: {
                    as?: "buyer" | "producer";
                    cursor?: string;
                    limit?: number;
                    status?: "created" | "paid" | "shipped" | "delivered" | "completed" | "cancelled" | "refunded";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                buyer: string;
                                cancelledAt: string | null;
                                cancelReason: string | null;
                                carrier: string | null;
                                completedAt: string | null;
                                createdAt: string;
                                currency: string;
                                deliverBy: string | null;
                                deliveredAt: string | null;
                                id: string;
                                lines: {
                                    position: number;
                                    productId: string;
                                    quantity: number;
                                    refundedQuantity: number;
                                    skuId: string;
                                    /** @description the English title when the order was placed, if any */
                                    titleEn: string | null;
                                    titleZh: string;
                                    unitPriceFen: string;
                                }[];
                                /** @description What was paid in money: totalFen less pointsFen. */
                                moneyFen: string;
                                paidAt: string | null;
                                payBy: string;
                                paymentId: string;
                                paymentStatus?: string;
                                /** @description The fen those points covered. */
                                pointsFen: string;
                                /** @description Points the buyer paid with (0: none). */
                                pointsSpent: string;
                                policyHash: string;
                                producer: string;
                                refundedFen: string;
                                refunds?: {
                                    amountFen: string;
                                    createdAt: string;
                                    decisionReason: string | null;
                                    lines: {
                                        position: number;
                                        quantity: number;
                                    }[];
                                    reason: string;
                                    refundId: string;
                                    status: string;
                                }[];
                                returnWindowEnds: string | null;
                                shippedAt: string | null;
                                shipping?: {
                                    detail: string;
                                    phone: string;
                                    recipient: string;
                                    region: string;
                                };
                                /** @enum {string} */
                                status: "created" | "paid" | "shipped" | "delivered" | "completed" | "cancelled" | "refunded";
                                totalFen: string;
                                trackingNumber?: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One order with its refunds and payment state (its buyer, its producer or the operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            buyer: string;
                            cancelledAt: string | null;
                            cancelReason: string | null;
                            carrier: string | null;
                            completedAt: string | null;
                            createdAt: string;
                            currency: string;
                            deliverBy: string | null;
                            deliveredAt: string | null;
                            id: string;
                            lines: {
                                position: number;
                                productId: string;
                                quantity: number;
                                refundedQuantity: number;
                                skuId: string;
                                /** @description the English title when the order was placed, if any */
                                titleEn: string | null;
                                titleZh: string;
                                unitPriceFen: string;
                            }[];
                            /** @description What was paid in money: totalFen less pointsFen. */
                            moneyFen: string;
                            paidAt: string | null;
                            payBy: string;
                            paymentId: string;
                            paymentStatus?: string;
                            /** @description The fen those points covered. */
                            pointsFen: string;
                            /** @description Points the buyer paid with (0: none). */
                            pointsSpent: string;
                            policyHash: string;
                            producer: string;
                            refundedFen: string;
                            refunds?: {
                                amountFen: string;
                                createdAt: string;
                                decisionReason: string | null;
                                lines: {
                                    position: number;
                                    quantity: number;
                                }[];
                                reason: string;
                                refundId: string;
                                status: string;
                            }[];
                            returnWindowEnds: string | null;
                            shippedAt: string | null;
                            shipping?: {
                                detail: string;
                                phone: string;
                                recipient: string;
                                region: string;
                            };
                            /** @enum {string} */
                            status: "created" | "paid" | "shipped" | "delivered" | "completed" | "cancelled" | "refunded";
                            totalFen: string;
                            trackingNumber?: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{id}/shipment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ship a paid order: the signed orders.order.shipped envelope and the tracking number (kept off the log) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        envelope: components["schemas"]["EnvelopeInput"];
                        trackingNumber: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actor: string;
                            /** @description Journal id of the accepted event. */
                            eventId: string;
                            /** @description RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope). */
                            leafHash: string;
                            /** @description Position of the envelope in the transparency log (decimal). */
                            logIndex: string;
                            /** @description Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint. */
                            proofUrl?: string;
                            /** @description True when this envelope was accepted earlier and this is its original result. */
                            replayed: boolean;
                            result: {
                                [key: string]: unknown;
                            };
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a sandbox payment into an escrow account (operator; checkout uses the same path)
         * @description `simulate` chooses what the sandbox does: succeed or fail (a signed webhook follows), or time out (no webhook). Requires an Idempotency-Key.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        amount: string;
                        escrowAccount: string;
                        id: string;
                        /** @default CNY */
                        ledger?: string;
                        /**
                         * @default sandbox
                         * @enum {string}
                         */
                        provider?: "sandbox";
                        /**
                         * @description sandbox only
                         * @default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            amount: string;
                            escrowAccount: string;
                            holdTransferId: string | null;
                            id: string;
                            ledger: string;
                            provider: string;
                            providerRef: string;
                            purpose: string;
                            reference: string | null;
                            refunded: string;
                            /** @enum {string} */
                            status: "created" | "succeeded" | "failed" | "timed_out";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A payment and its state */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            amount: string;
                            escrowAccount: string;
                            holdTransferId: string | null;
                            id: string;
                            ledger: string;
                            provider: string;
                            providerRef: string;
                            purpose: string;
                            reference: string | null;
                            refunded: string;
                            /** @enum {string} */
                            status: "created" | "succeeded" | "failed" | "timed_out";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}/refunds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refund a held payment, in full or in part (operator; requires an Idempotency-Key) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        amount: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            amount: string;
                            escrowAccount: string;
                            holdTransferId: string | null;
                            id: string;
                            ledger: string;
                            provider: string;
                            providerRef: string;
                            purpose: string;
                            reference: string | null;
                            refunded: string;
                            /** @enum {string} */
                            status: "created" | "succeeded" | "failed" | "timed_out";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/webhooks/{provider}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A payment provider's webhook (signed by the provider; duplicates are harmless) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            result: "applied" | "duplicate" | "ignored";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Withdraw from one's own account through a payment provider (requires an Idempotency-Key)
         * @description The amount is held at once, so it cannot be spent twice; the provider's webhook posts the hold when the money arrived, or voids it. Only from an account the caller owns (the operator: any) whose debits may not exceed its credits. `simulate` chooses what the sandbox does.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        account: string;
                        amount: string;
                        /** @description where the provider pays: a card or wallet id (kept off the log) */
                        destination: string;
                        id: string;
                        /**
                         * @default sandbox
                         * @enum {string}
                         */
                        provider?: "sandbox";
                        /**
                         * @description sandbox only
                         * @default succeed
                         * @enum {string}
                         */
                        simulate?: "succeed" | "fail" | "timeout";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            account: string;
                            amount: string;
                            createdAt: string;
                            holdTransferId: string;
                            id: string;
                            ledger: string;
                            provider: string;
                            /** @enum {string} */
                            status: "created" | "succeeded" | "failed";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payouts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A payout and its state (its requester or the operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            account: string;
                            amount: string;
                            createdAt: string;
                            holdTransferId: string;
                            id: string;
                            ledger: string;
                            provider: string;
                            /** @enum {string} */
                            status: "created" | "succeeded" | "failed";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/points": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My points: balance, tier, the age of what I hold, my awards, transfers and movements */
        get: {
            parameters: {
                query?: {
                    /** @description Movements older than this seq (the next page of movements) */
                    before?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            awards: {
                                createdAt: string;
                                holder: string;
                                id: string;
                                /** @enum {string} */
                                kind: "cashback" | "referral";
                                orderId: string;
                                points: string;
                                rateBps: number;
                                /** @description Taken back by refunds of the order */
                                reversedPoints: string;
                            }[];
                            balance: string;
                            lots: {
                                earnedOn: string;
                                points: string;
                            }[];
                            movements: {
                                /** @description points_cashback, points_referral, points_transfer, points_burn, … */
                                code: string;
                                counterparty: string;
                                createdAt: string;
                                /** @description Positive: in; negative: out */
                                points: string;
                                reference: string | null;
                                /** @description The ledger sequence: a cursor for `before` */
                                seq: string;
                                transferId: string;
                            }[];
                            nextBefore: string | null;
                            tier: string;
                            transfers: {
                                createdAt: string;
                                /** @description Given to the recipient */
                                creditPoints: string;
                                /** @description Taken from the sender */
                                debitPoints: string;
                                /** @description The platform's fee (1%, rounded up) */
                                feePoints: string;
                                from: string;
                                id: string;
                                to: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/points/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The POINTS ledger at a glance (operator): minted, held, spent, burned, fees — and whether they conserve */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            burnedPoints: string;
                            /** @description minted = held + spent + burned + fees + staked (+ other) */
                            conserved: boolean;
                            feePoints: string;
                            heldPoints: string;
                            holders: number;
                            issuedPoints: string;
                            /** @description Minted and not taken back by refunds */
                            mintedPoints: string;
                            otherPoints: string;
                            reversedPoints: string;
                            spentPoints: string;
                            /** @description Locked as nominators' stake (consensus), cooling unlocks included */
                            stakedPoints: string;
                            stakers: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/points/transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send points to another member; the platform keeps 1% (rounded up). Requires an Idempotency-Key.
         * @description The amount is taken from you; the recipient gets it less the fee. Refused, with nothing written: to yourself (422 self_transfer), to an unknown account (404), more than you hold (409 insufficient_points), an amount the fee would take whole (422 transfer_too_small).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Points taken from you, fee included */
                        points: string;
                        /** @description An Ed25519 did:key. */
                        to: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Your points after the transfer */
                            balance: string;
                            createdAt: string;
                            /** @description Given to the recipient */
                            creditPoints: string;
                            /** @description Taken from the sender */
                            debitPoints: string;
                            /** @description The platform's fee (1%, rounded up) */
                            feePoints: string;
                            from: string;
                            id: string;
                            to: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/producer/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your products, in every status (producers) */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    status?: "draft" | "listed" | "delisted" | "suspended";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                category: string;
                                id: string;
                                imageUrls: string[];
                                listedAt: string | null;
                                /** @description fen, decimal string */
                                maxPriceFen: string;
                                /** @description fen, decimal string */
                                minPriceFen: string;
                                model: {
                                    id: string;
                                    version: number;
                                };
                                producerDid: string;
                                /** @enum {string} */
                                status: "draft" | "listed" | "delisted" | "suspended";
                                title: {
                                    en: string | null;
                                    zh: string;
                                };
                                updatedAt: string;
                                /** @enum {string} */
                                verdict: "untested" | "testing" | "passed" | "failed";
                            }[];
                            /** @description Pass as `cursor` for the next page; null on the last page */
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/roles/applications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Role applications (operators) */
        get: {
            parameters: {
                query?: {
                    after?: string;
                    limit?: number;
                    status?: "pending" | "approved" | "rejected";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                appliedAt: string;
                                decidedAt: string | null;
                                decidedBy: string | null;
                                /** @description An Ed25519 did:key. */
                                did: string;
                                id: string;
                                role: string;
                                /** @enum {string} */
                                status: "pending" | "approved" | "rejected";
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/clock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Operator: move the sandbox's time forward to `to` (a time already passed changes nothing) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description the time to move to
                         */
                        to: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description how far the time runs ahead of the real time */
                            aheadMs: number;
                            /** @description the platform's time (ISO 8601) */
                            now: string;
                            /** @description whether the operator can move the time forward (CONCORD_SANDBOX_CLOCK) */
                            sandbox: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settlement/cycles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Settlement cycles closed or being closed, newest first, and the cycle open now */
        get: {
            parameters: {
                query?: {
                    /** @description a cycle number from the previous page */
                    before?: number;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            current: number;
                            items: {
                                cycle: number;
                                endsAt: string;
                                /** @description hex SHA-256 of the inputs document */
                                inputsDigest: string | null;
                                leaves: number | null;
                                /** @description the settlement.cycle.closed entry */
                                logIndex: string | null;
                                orders: number;
                                /** @description minor units (fen or points) as a decimal string */
                                paidFen: string;
                                /** @description hex RFC 9162 root over the leaves */
                                root: string | null;
                                startsAt: string;
                                /** @enum {string} */
                                status: "closing" | "closed";
                                totals: {
                                    [key: string]: string;
                                } | null;
                            }[];
                            nextBefore: number | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settlement/cycles/{cycle}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One settlement cycle: its status, totals and published root */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    cycle: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cycle: number;
                            endsAt: string;
                            /** @description hex SHA-256 of the inputs document */
                            inputsDigest: string | null;
                            leaves: number | null;
                            /** @description the settlement.cycle.closed entry */
                            logIndex: string | null;
                            orders: number;
                            /** @description minor units (fen or points) as a decimal string */
                            paidFen: string;
                            /** @description hex RFC 9162 root over the leaves */
                            root: string | null;
                            startsAt: string;
                            /** @enum {string} */
                            status: "closing" | "closed";
                            totals: {
                                [key: string]: string;
                            } | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settlement/cycles/{cycle}/close": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Close a cycle that has ended (operator); closing it again answers the result
         * @description Settles every order completed before the cycle ended, divides the pools, pays every leaf and publishes settlement.cycle.closed. The cycle number is the idempotency key: a repeat, or a close running beside another, settles nothing twice and answers the same result. 409 cycle_open before the cycle ends.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    cycle: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cycle: number;
                            endsAt: string;
                            /** @description hex SHA-256 of the inputs document */
                            inputsDigest: string | null;
                            leaves: number | null;
                            /** @description the settlement.cycle.closed entry */
                            logIndex: string | null;
                            orders: number;
                            /** @description minor units (fen or points) as a decimal string */
                            paidFen: string;
                            /** @description hex RFC 9162 root over the leaves */
                            root: string | null;
                            startsAt: string;
                            /** @enum {string} */
                            status: "closing" | "closed";
                            totals: {
                                [key: string]: string;
                            } | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settlement/cycles/{cycle}/inputs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What a closed cycle was computed from (JSON Lines; its SHA-256 is the envelope's inputsDigest)
         * @description A header (policy, split policies by hash, platform), the orders as settled, the reversals, the rounds and the witnesses, one RFC 8785 JSON object per line. `concord verify` checks it against the log and recomputes the root.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    cycle: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settlement/cycles/{cycle}/leaves": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A closed cycle's leaves (party, account kind, amount) in Merkle order, by pages */
        get: {
            parameters: {
                query?: {
                    from?: number;
                    limit?: number;
                };
                header?: never;
                path: {
                    cycle: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description minor units (fen or points) as a decimal string */
                                amountFen: string;
                                index: number;
                                kind: string;
                                party: string;
                            }[];
                            next: number | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settlement/cycles/{cycle}/statement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My statement of a closed cycle: what I was paid, from which orders or rounds, with inclusion proofs
         * @description 404 when the cycle is not closed. Each leaf verifies against the root published on the log.
         */
        get: {
            parameters: {
                query?: {
                    /** @description an operator may read any party's */
                    party?: string;
                };
                header?: never;
                path: {
                    cycle: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cycle: number;
                            leafCount: number;
                            leaves: {
                                /** @description minor units (fen or points) as a decimal string */
                                amountFen: string;
                                index: number;
                                kind: string;
                                /** @description base64 hashes, RFC 9162 audit path */
                                proof: string[];
                            }[];
                            lines: {
                                /** @description minor units (fen or points) as a decimal string */
                                amountFen: string;
                                kind: string;
                                ref: string;
                                source: string;
                            }[];
                            party: string;
                            root: string;
                            /** @description minor units (fen or points) as a decimal string */
                            totalFen: string;
                            truncated: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settlement/cycles/{cycle}/statement.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My statement of a closed cycle as CSV (RFC 4180) */
        get: {
            parameters: {
                query?: {
                    /** @description an operator may read any party's */
                    party?: string;
                };
                header?: never;
                path: {
                    cycle: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/supplier/ratings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My buyers' ratings (count, average, the newest) and the deposit cuts they brought (producers) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description All-time average, hundredths of a star */
                            averageHundredths: number;
                            count: number;
                            cuts: {
                                amountFen: string;
                                averageHundredths: number;
                                createdAt: string;
                                id: string;
                                ratingOrders: string[];
                            }[];
                            recent: {
                                createdAt: string;
                                orderId: string;
                                stars: number;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/supplier/token-redemptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My supplier tokens (held, earned, given back, redeemed) and my redemptions, newest first (producers) */
        get: {
            parameters: {
                query?: {
                    /** @description Redemptions older than this seq (the next page) */
                    before?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            currentCycle: number;
                            items: {
                                /** @description Set by the settlement that applied it */
                                appliedAt: string | null;
                                createdAt: string;
                                /** @description The settlement cycle the redemption was made in */
                                cycle: number;
                                effectiveCycle: number;
                                effectiveFrom: string;
                                effectiveUntil: string;
                                feeBpsAfter: number;
                                feeBpsBefore: number;
                                id: string;
                                producer: string;
                                /** @description How much lower your platform service fee is in the effective cycle */
                                reductionBps: number;
                                /** @description A cursor for `before` */
                                seq: string;
                                tokensOffered: string;
                                /** @description Whole bps only: the rest of the offer stays with you */
                                tokensSpent: string;
                            }[];
                            nextBefore: string | null;
                            tokens: {
                                earned: string;
                                held: string;
                                redeemed: string;
                                /** @description Taken back by refunds */
                                reversed: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Redeem supplier tokens for a lower platform fee in the next settlement cycle (producers; requires an Idempotency-Key)
         * @description Each tokensPerFeeBps tokens (10,000 by default) lower the platform service fee by one bps, never below the floor (5%). Refused, with nothing written: more tokens than held (409 insufficient_tokens), the fee of that cycle at the floor already (409 fee_at_floor), an offer that buys no whole bps (422 redemption_too_small).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Tokens offered */
                        tokens: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Set by the settlement that applied it */
                            appliedAt: string | null;
                            createdAt: string;
                            /** @description The settlement cycle the redemption was made in */
                            cycle: number;
                            effectiveCycle: number;
                            effectiveFrom: string;
                            effectiveUntil: string;
                            feeBpsAfter: number;
                            feeBpsBefore: number;
                            id: string;
                            producer: string;
                            /** @description How much lower your platform service fee is in the effective cycle */
                            reductionBps: number;
                            /** @description A cursor for `before` */
                            seq: string;
                            /** @description Your tokens after the redemption */
                            tokensHeld: string;
                            tokensOffered: string;
                            /** @description Whole bps only: the rest of the offer stays with you */
                            tokensSpent: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Envelope: {
            /** @description did:key of the signer */
            actor: string;
            body: {
                [key: string]: unknown;
            };
            /**
             * @description Present when the platform holds the signing key
             * @constant
             */
            custody?: "platform";
            /** @description base64url; unique per actor; a replay returns the first result */
            nonce: string;
            /** @description base64url Ed25519 signature over "concord/v1\n" + RFC 8785 JSON of the rest */
            sig: string;
            /** @description ISO 8601 UTC with milliseconds; within ±5 minutes of the server clock */
            ts: string;
            /** @description Event type, e.g. identity.role.applied */
            type: string;
            /** @constant */
            v: 1;
        };
        EnvelopeInput: {
            /** @description did:key of the signer */
            actor: string;
            body: {
                [key: string]: unknown;
            };
            /**
             * @description Present when the platform holds the signing key
             * @constant
             */
            custody?: "platform";
            /** @description base64url; unique per actor; a replay returns the first result */
            nonce: string;
            /** @description base64url Ed25519 signature over "concord/v1\n" + RFC 8785 JSON of the rest */
            sig: string;
            /** @description ISO 8601 UTC with milliseconds; within ±5 minutes of the server clock */
            ts: string;
            /** @description Event type, e.g. identity.role.applied */
            type: string;
            /** @constant */
            v: 1;
        };
        Error: {
            error: {
                /** @description Stable machine-readable code, e.g. invalid_signature */
                code: string;
                details?: {
                    [key: string]: unknown;
                };
                /** @description The request field at fault, when there is one */
                field?: string;
                /** @description What went wrong, for people */
                message: string;
            };
        };
        ErrorInput: {
            error: {
                /** @description Stable machine-readable code, e.g. invalid_signature */
                code: string;
                details?: {
                    [key: string]: unknown;
                };
                /** @description The request field at fault, when there is one */
                field?: string;
                /** @description What went wrong, for people */
                message: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
